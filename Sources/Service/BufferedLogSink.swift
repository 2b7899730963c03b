import Dispatch
import Foundation
import Synchronization

/// Log lines gathered in memory and written to a file descriptor in batches.
///
/// Why: the access log writes one line per request. Written one `write(2)` at a time under a
/// lock (swift-log's StreamLogHandler), it cost about 30% of the server's GET /healthz
/// throughput (Benchmarks/README.md). Here a line is appended under a short lock and reaches
/// the descriptor when the buffer passes `flushBytes`, on the next timer tick (at most
/// `flushInterval` later), when a warning or worse is logged, or at exit. nginx's
/// `access_log ... buffer= flush=` makes the same trade: a crash may lose the last tick's lines.
public final class BufferedLogSink: Sendable {
    private let descriptor: Int32
    private let flushBytes: Int
    private let pending = Mutex<[UInt8]>([])
    /// Serialises writers, so flushed batches keep their order on the descriptor.
    private let writing = Mutex<Void>(())
    /// Touched only by init and deinit, so sharing the sink never shares the timer.
    private nonisolated(unsafe) let timer: DispatchSourceTimer

    /// The process' standard error, flushed every 50 ms; `atexit` flushes it once more.
    public static let standardError: BufferedLogSink = {
        let sink = BufferedLogSink(descriptor: STDERR_FILENO)
        atexit { BufferedLogSink.standardError.flush() }
        return sink
    }()

    public init(descriptor: Int32, flushBytes: Int = 32 * 1024, flushInterval: DispatchTimeInterval = .milliseconds(50)) {
        self.descriptor = descriptor
        self.flushBytes = flushBytes
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "BufferedLogSink.flush"))
        timer.schedule(deadline: .now() + flushInterval, repeating: flushInterval, leeway: .milliseconds(10))
        timer.setEventHandler { [weak self] in self?.flush() }
        timer.resume()
    }

    deinit {
        timer.cancel()
        flush()
    }

    /// Adds one line (its newline included); writes at once if `urgent` or the buffer is full.
    public func append(_ line: String, urgent: Bool = false) {
        let full = pending.withLock { buffer in
            buffer.append(contentsOf: line.utf8)
            return buffer.count >= flushBytes
        }
        if urgent || full { flush() }
    }

    /// Writes everything appended so far.
    public func flush() {
        writing.withLock { _ in
            let batch = pending.withLock { buffer in
                let taken = buffer
                buffer.removeAll(keepingCapacity: true)
                return taken
            }
            batch.withUnsafeBytes { writeAll($0) }
        }
    }

    /// write(2) until done. A log that cannot be written (closed, broken pipe, or a
    /// non-blocking reader that stalls for a second) is dropped: logging never stops the server.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0, stalls = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && errno == EAGAIN && stalls < 10 {
                stalls += 1
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 100)
            } else {
                return
            }
        }
    }
}
