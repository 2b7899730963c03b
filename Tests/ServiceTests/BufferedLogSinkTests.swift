import Foundation
import Logging
import Testing
@testable import Service

/// The server's log path: lines wait in memory and reach the descriptor in order, on flush,
/// when urgent, when the buffer fills, or on the timer.
struct BufferedLogSinkTests {
    /// A pipe whose read end never blocks: `drain` returns what has been written so far.
    final class Pipe: @unchecked Sendable {  // two descriptors; read by one task at a time
        let readEnd: Int32, writeEnd: Int32

        init() {
            var ends: [Int32] = [0, 0]
            precondition(pipe(&ends) == 0)
            (readEnd, writeEnd) = (ends[0], ends[1])
            _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        }

        deinit {
            close(readEnd)
            close(writeEnd)
        }

        func drain() -> String {
            var bytes = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(readEnd, &chunk, chunk.count)
                guard count > 0 else { break }
                bytes += chunk[..<count]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test func linesWaitForAFlushAndArriveInOrder() {
        let pipe = Pipe()
        let sink = BufferedLogSink(descriptor: pipe.writeEnd, flushInterval: .seconds(3600))
        for i in 0..<100 { sink.append("line \(i)\n") }
        #expect(pipe.drain() == "")
        sink.flush()
        #expect(pipe.drain() == (0..<100).map { "line \($0)\n" }.joined())
        sink.flush()
        #expect(pipe.drain() == "")
    }

    @Test func urgentLinesAndAFullBufferAreWrittenAtOnce() {
        let pipe = Pipe()
        let sink = BufferedLogSink(descriptor: pipe.writeEnd, flushBytes: 64, flushInterval: .seconds(3600))
        sink.append("waits\n")
        #expect(pipe.drain() == "")
        sink.append("urgent\n", urgent: true)
        #expect(pipe.drain() == "waits\nurgent\n")
        let long = String(repeating: "x", count: 70) + "\n"
        sink.append(long)
        #expect(pipe.drain() == long)
    }

    @Test func theTimerWritesWhatWaits() async throws {
        let pipe = Pipe()
        let sink = BufferedLogSink(descriptor: pipe.writeEnd, flushInterval: .milliseconds(20))
        sink.append("ticked\n")
        var seen = ""
        for _ in 0..<200 where seen.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            seen = pipe.drain()
        }
        #expect(seen == "ticked\n")
        withExtendedLifetime(sink) {}
    }

    @Test func concurrentWritersLoseNoLine() async {
        let pipe = Pipe()
        let sink = BufferedLogSink(descriptor: pipe.writeEnd, flushBytes: 512, flushInterval: .seconds(3600))
        // Drained as it goes: the pipe holds 64 KiB and a blocked writer would stall the test.
        let reader = Task.detached { () -> String in
            var text = ""
            while text.split(separator: "\n").count < 4000 {
                text += pipe.drain()
                try? await Task.sleep(for: .milliseconds(1))
            }
            return text
        }
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask { for i in 0..<1000 { sink.append("w\(writer) \(i)\n") } }
            }
        }
        sink.flush()
        let lines = await reader.value.split(separator: "\n")
        #expect(lines.count == 4000)
        for writer in 0..<4 {
            // Each writer's own lines keep their order.
            #expect(lines.filter { $0.hasPrefix("w\(writer) ") } == (0..<1000).map { "w\(writer) \($0)"[...] })
        }
    }

    @Test func handlerWritesStreamLogHandlersLayoutWithAUTCTimestamp() throws {
        let pipe = Pipe()
        let sink = BufferedLogSink(descriptor: pipe.writeEnd, flushInterval: .seconds(3600))
        var logger = Logger(label: "gradcam-server") { BufferedLogHandler(label: $0, sink: sink) }
        logger[metadataKey: "base"] = "1"
        logger.info("request", metadata: ["path": "/healthz", "method": "GET"])
        logger.debug("below the level")
        #expect(pipe.drain() == "")
        logger.warning("overloaded")
        let lines = pipe.drain().split(separator: "\n")
        try #require(lines.count == 2)
        let stamp = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /#
        #expect(lines.allSatisfy { $0.prefixMatch(of: stamp) != nil })
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let written = try #require(parser.date(from: String(lines[0].prefix(24))))
        #expect(abs(written.timeIntervalSinceNow) < 60)
        #expect(lines[0].hasSuffix(" info gradcam-server: base=1 method=GET path=/healthz [ServiceTests] request"))
        #expect(lines[1].hasSuffix(" warning gradcam-server: base=1 [ServiceTests] overloaded"))
    }
}
