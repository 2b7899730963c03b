import Dispatch
import Foundation
import HTTP1
import HTTPServer
import Synchronization

/// Replies "METHOD PATH|body", after a delay when the path says so ("/sleep/300" waits 300 ms).
struct EchoResponder: HTTPResponder {
    func respond(to request: HTTPRequest, context: RequestContext, reply: @escaping @Sendable (HTTPResponse) -> Void) {
        let response = HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/plain"],
            body: Array("\(request.method) \(request.path)|".utf8) + request.body)
        if request.path.hasPrefix("/sleep/"), let milliseconds = Int(request.path.dropFirst("/sleep/".count)) {
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { reply(response) }
        } else {
            reply(response)
        }
    }
}

/// Keeps each request's context and reply, so a test decides when (and whether) to answer.
final class HoldingResponder: HTTPResponder {
    private let held = Mutex<[(context: RequestContext, reply: @Sendable (HTTPResponse) -> Void)]>([])

    func respond(to request: HTTPRequest, context: RequestContext, reply: @escaping @Sendable (HTTPResponse) -> Void) {
        held.withLock { $0.append((context, reply)) }
    }

    var count: Int { held.withLock { $0.count } }

    func first() -> (context: RequestContext, reply: @Sendable (HTTPResponse) -> Void)? {
        held.withLock { $0.first }
    }
}

extension ServerConfiguration {
    static func test(
        host: String = "127.0.0.1", headerTimeout: Duration = .seconds(2), idleTimeout: Duration = .seconds(2),
        maxConnections: Int = 64, lingerTimeout: Duration = .milliseconds(500),
        limits: HTTPLimits = HTTPLimits()
    ) -> ServerConfiguration {
        ServerConfiguration(host: host, port: 0, maxConnections: maxConnections, headerTimeout: headerTimeout,
                            bodyTimeout: .seconds(2), idleTimeout: idleTimeout, lingerTimeout: lingerTimeout,
                            limits: limits)
    }
}

/// Polls `condition` every 10 ms, at most `limit`; returns whether it became true.
func eventually(within limit: Duration = .seconds(2), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

final class RecordCollector: Sendable {
    private let records = Mutex<[ExchangeRecord]>([])
    var all: [ExchangeRecord] { records.withLock { $0 } }
    @Sendable func add(_ record: ExchangeRecord) { records.withLock { $0.append(record) } }
}
