import Dispatch
import HTTP1
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on non-blocking sockets and Dispatch.
///
/// Threading model:
/// - One serial accept queue owns the listening socket and its `DispatchSourceRead`; it accepts
///   every pending connection when the source fires.
/// - Each connection has its own serial queue (targeting the global concurrent queue), owning
///   its socket, parser, buffers, one read source, one write source and one timer. Handlers
///   never block: sockets are non-blocking, a send that would block waits for the write source.
///   (A blocking read per connection on a concurrent queue starves on Linux, NOTES.md.)
/// - The responder is called on the connection's queue and replies from any thread; the reply
///   hops back onto that queue. Only the connection registry is shared, behind a mutex.
///
/// Lifecycle: `start()` binds and listens; `stopAccepting()` closes the listener and idle
/// keep-alive connections while requests in progress still get their reply; `shutdown(grace:)`
/// waits for those replies up to `grace`, then closes everything.
public final class HTTPServer: Sendable {
    struct Registry {
        var connections: [ObjectIdentifier: Connection] = [:]
        /// Connections refused with 503 (over the cap, or while stopping) that linger before
        /// closing. They do not count against the cap; at most `maxLingeringRefusals` at once.
        var refusals: [ObjectIdentifier: Connection] = [:]
        var stopping = false
        var listener: Socket?
        var acceptSource: ListenerSource?
    }

    public let configuration: ServerConfiguration
    /// The 503 for connections beyond the cap (see HTTPServer+Accepting).
    let refusal: HTTPResponse
    let responder: any HTTPResponder
    let onExchange: (@Sendable (ExchangeRecord) -> Void)?
    let acceptQueue = DispatchQueue(label: "HTTPServer.accept")
    let registry = Mutex(Registry())

    public init(
        configuration: ServerConfiguration,
        responder: some HTTPResponder,
        onExchange: (@Sendable (ExchangeRecord) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.refusal = Self.refusal(retryAfterSeconds: configuration.refusalRetryAfterSeconds)
        self.responder = responder
        self.onExchange = onExchange
    }

    /// Connections accepted under the cap and not yet closed (lingering refusals are not counted).
    public var openConnectionCount: Int {
        registry.withLock { $0.connections.count }
    }

    var isStopping: Bool {
        registry.withLock { $0.stopping }
    }

    func forget(_ id: ObjectIdentifier) {
        registry.withLock { registry in
            if registry.connections.removeValue(forKey: id) == nil { registry.refusals.removeValue(forKey: id) }
        }
    }

    /// Binds, listens and starts accepting. Returns the bound port (the kernel's choice when
    /// the configuration asks for port 0). Throws `SocketError` if the address cannot be bound,
    /// or if the server was already started.
    @discardableResult
    public func start() throws -> Int {
        Platform.ignoreSIGPIPE()
        let listener = try Socket.listening(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let port: Int
        do {
            port = try listener.boundPort()
        } catch {
            listener.close()
            throw error
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: listener.fd, queue: acceptQueue)
        source.setEventHandler { [self] in acceptPending(from: listener) }
        // The listener is closed only once its source can no longer use it.
        source.setCancelHandler { listener.close() }
        let installed = registry.withLock { registry in
            guard registry.listener == nil, !registry.stopping else { return false }
            registry.listener = listener
            registry.acceptSource = ListenerSource(source: source)
            return true
        }
        guard installed else {
            listener.close()
            throw SocketError(.listen, errno: EINVAL) // already started, or stopped
        }
        source.resume()
        return port
    }

    /// Graceful shutdown, step 1: stop accepting, close idle keep-alive connections. Requests in
    /// progress still get their reply, sent with `Connection: close`.
    public func stopAccepting() {
        let (source, connections) = registry.withLock { registry in
            registry.stopping = true
            let source = registry.acceptSource
            registry.acceptSource = nil
            return (source, Array(registry.connections.values))
        }
        source?.source.cancel()
        for connection in connections { connection.stopIfIdle() }
    }

    /// Stops accepting, waits until every in-progress reply is written or `grace` has passed,
    /// then closes whatever is left.
    public func shutdown(grace: Duration) async {
        stopAccepting()
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while openConnectionCount > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let remaining = registry.withLock { Array($0.connections.values) + Array($0.refusals.values) }
        for connection in remaining { connection.forceClose() }
        // Closing is asynchronous (each on its own queue); wait a little for it to finish.
        let closeDeadline = clock.now + .seconds(1)
        while registry.withLock({ $0.connections.count + $0.refusals.count }) > 0, clock.now < closeDeadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// The listener's read source. Dispatch sources are thread-safe objects; only the Swift overlay
/// does not mark them Sendable, so this box may cross threads.
struct ListenerSource: @unchecked Sendable {
    let source: any DispatchSourceRead
}
