/// What the server knows about a request besides its bytes.
public struct RequestContext: Sendable {
    /// "127.0.0.1:51234" or "[::1]:51234".
    public let peerAddress: String
    /// Turns false once the peer closed its side or the connection failed, so queued work for
    /// a client that went away can be dropped. (While a reply is pending and the client keeps
    /// pipelining, reading pauses after a bounded buffer, and a close is noticed only then.)
    public let isClientConnected: @Sendable () -> Bool
    /// When the request's last byte was parsed.
    public let receivedAt: ContinuousClock.Instant

    public init(peerAddress: String, isClientConnected: @escaping @Sendable () -> Bool, receivedAt: ContinuousClock.Instant) {
        self.peerAddress = peerAddress
        self.isClientConnected = isClientConnected
        self.receivedAt = receivedAt
    }
}
