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
            if let connection = admit(socket, peer: peer) {
                connection.start()
            } else {
                refuse(socket)
            }
        }
    }

    private func admit(_ socket: Socket, peer: String) -> Connection? {
        let environment = ConnectionEnvironment(
            configuration: configuration, responder: responder, onExchange: onExchange,
            isStopping: { [weak self] in self?.isStopping ?? true },
            onClosed: { [weak self] id in self?.forget(id) })
        return registry.withLock { registry -> Connection? in
            guard !registry.stopping, registry.connections.count < configuration.maxConnections else { return nil }
            let connection = Connection(socket: socket, peerAddress: peer, environment: environment)
            registry.connections[ObjectIdentifier(connection)] = connection
            return connection
        }
    }

    /// Over the connection cap: answer 503 with Retry-After at once and close, rather than leave
    /// the client waiting in the backlog with no idea why (RFC 9110 15.6.4, 10.2.3). The send
    /// goes to a fresh socket's empty buffer, so one non-blocking attempt suffices.
    private func refuse(_ socket: Socket) {
        let response = ErrorBody.response(
            status: .serviceUnavailable, code: "too_many_connections",
            message: "the server is at its connection limit; retry shortly",
            extraHeaders: ["Retry-After": "1"])
        response.serialized(keepAlive: false).withUnsafeBytes { _ = socket.send($0) }
        socket.shutdownWrite()
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
