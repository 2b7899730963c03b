/// One finished request/response exchange, for access logs and metrics. Reported after the
/// response was written (or failed to be).
public struct ExchangeRecord: Sendable {
    /// "-" when the request could not be parsed that far.
    public var method: String
    public var path: String
    public var status: Int
    /// Bytes of the request (head and body as sent).
    public var bytesIn: Int
    /// Bytes of the response written to the socket.
    public var bytesOut: Int
    /// From the request's last byte to the response's last byte written.
    public var duration: Duration
    public var peerAddress: String
    /// The response's X-Request-ID, else the request's, if any.
    public var requestID: String?
    /// The request's X-Forwarded-For, for the application to resolve against its trusted proxies.
    public var forwardedFor: String?

    public init(method: String, path: String, status: Int, bytesIn: Int, bytesOut: Int,
                duration: Duration, peerAddress: String, requestID: String?, forwardedFor: String? = nil) {
        self.method = method
        self.path = path
        self.status = status
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.duration = duration
        self.peerAddress = peerAddress
        self.requestID = requestID
        self.forwardedFor = forwardedFor
    }
}
