import Foundation
import Logging
import Synchronization

/// swift-log's handler for the server: StreamLogHandler's line layout
/// (`<time> <level> <label>: <key=value ...> [<source>] <message>`, metadata sorted by key),
/// written through a `BufferedLogSink`. Warnings and worse are flushed at once.
public struct BufferedLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: BufferedLogSink

    public init(label: String, sink: BufferedLogSink = .standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = LogTimestamp.now()
        line += " \(event.level) \(label):"
        if !metadata.isEmpty || event.metadata?.isEmpty == false || event.error != nil {
            var fields = metadata
            if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
            if let error = event.error { fields["error.message"] = "\(error)" }
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        }
        line += " [\(event.source)] \(event.message)\n"
        sink.append(line, urgent: event.level >= .warning)
    }
}

/// UTC time to the millisecond, ISO 8601 ("2026-11-27T04:48:00.123Z"). The date and time of
/// day are formatted once per second and reused; only the milliseconds change per line.
enum LogTimestamp {
    private static let cache = Mutex<(second: Int, text: String)>((-1, ""))

    static func now() -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let second = clock.tv_sec
        let prefix = cache.withLock { cached in
            if cached.second != second {
                var seconds = time_t(second), parts = tm()
                gmtime_r(&seconds, &parts)
                cached = (second, String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                                         parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec))
            }
            return cached.text
        }
        let milliseconds = clock.tv_nsec / 1_000_000
        return prefix + (milliseconds < 10 ? ".00" : milliseconds < 100 ? ".0" : ".") + "\(milliseconds)Z"
    }
}
