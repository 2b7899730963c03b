import Synchronization

/// Whether the peer of a connection is still there; read from any thread through
/// `RequestContext.isClientConnected`, set once by the connection's queue.
final class PeerLiveness: Sendable {
    private let connected = Atomic<Bool>(true)

    var isConnected: Bool { connected.load(ordering: .acquiring) }

    func markGone() {
        connected.store(false, ordering: .releasing)
    }
}
