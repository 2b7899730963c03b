import Dispatch
import HTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HTTPServer {
    /// Accepts every pending connection (on the accept queue).
    func acceptPending(from listener: Socket) {
        for _ in 0..<256 {
            let accepted: (socket: Socket, peer: String)?
            do {
                accepted = try listener.accept()
            } catch {
                // Out of descriptors (EMFILE/ENFILE) or a similar fault: the listener stays
                // readable, so pause accepting briefly instead of spinning on it.
                pauseAccepting()
                return
            }
            guard let (socket, peer) = accepted else { return }
            switch admit(socket, peer: peer) {
            case .serve(let connection): connection.start()
            case .refuse(let connection): connection.start(refusingWith: refusal)
            case .closeAtOnce: refuseAtOnce(socket)
            }
        }
    }

    private enum Admission {
        case serve(Connection)
        /// Over the cap (or stopping): the connection gets only the 503, then lingers.
        case refuse(Connection)
        /// Over the cap with every lingering slot taken.
        case closeAtOnce
    }

    /// Refused connections lingering at once, at most: each holds a descriptor, two Dispatch
    /// sources and a timer for up to `lingerTimeout`, so a flood of clients cannot turn
    /// refusals into the resource they protect.
    public static let maxLingeringRefusals = 64

    private func admit(_ socket: Socket, peer: String) -> Admission {
        let environment = ConnectionEnvironment(
            configuration: configuration, responder: responder, onExchange: onExchange,
            isStopping: { [weak self] in self?.isStopping ?? true },
            onClosed: { [weak self] id in self?.forget(id) })
        return registry.withLock { registry -> Admission in
            let served = !registry.stopping && registry.connections.count < configuration.maxConnections
            guard served || registry.refusals.count < Self.maxLingeringRefusals else { return .closeAtOnce }
            let connection = Connection(socket: socket, peerAddress: peer, environment: environment)
            if served {
                registry.connections[ObjectIdentifier(connection)] = connection
                return .serve(connection)
            }
            registry.refusals[ObjectIdentifier(connection)] = connection
            return .refuse(connection)
        }
    }

    /// Over the connection cap: answer 503 with Retry-After at once, rather than leave the
    /// client waiting in the backlog with no idea why (RFC 9110 15.6.4, 10.2.3).
    static func refusal(retryAfterSeconds: Int) -> HTTPResponse {
        ErrorBody.response(
            status: .serviceUnavailable, code: "too_many_connections",
            message: "the server is at its connection limit; retry shortly",
            extraHeaders: ["Retry-After": String(retryAfterSeconds)])
    }

    /// The refusal without lingering, when every lingering slot is taken. The send goes to a
    /// fresh socket's empty buffer, so one non-blocking attempt suffices. Then what the client
    /// has sent so far is read and dropped: closing with unread bytes would answer with RST.
    private func refuseAtOnce(_ socket: Socket) {
        refusal.serialized(keepAlive: false).withUnsafeBytes { _ = socket.send($0) }
        socket.shutdownWrite()
        withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 1) { scratch in
            for _ in 0..<4 {
                guard case .bytes = socket.read(into: scratch) else { break }
            }
        }
        socket.close()
    }

    private func pauseAccepting() {
        let source = registry.withLock { $0.acceptSource }
        guard let source else { return }
        source.source.suspend()
        // A suspended source must never be released: resume it even if the server stopped.
        acceptQueue.asyncAfter(deadline: .now() + .milliseconds(100)) { source.source.resume() }
    }
}
