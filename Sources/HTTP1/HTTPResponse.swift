/// A response to serialise. The server adds framing fields itself: `serialized` writes
/// Content-Length and Connection from the body and the connection's fate, so they never disagree.
public struct HTTPResponse: Sendable, Hashable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The bytes on the wire, as HTTP/1.1 (RFC 9112 2.3: a server sends its highest version).
    /// Content-Length and Connection given in `headers` are replaced; CR and LF inside names or
    /// values are replaced by spaces so no field can inject another (response splitting).
    /// - Parameters:
    ///   - keepAlive: whether the connection stays open; written as `Connection: keep-alive`
    ///     or `close` (explicit, so HTTP/1.0 clients know too, RFC 9112 9.3).
    ///   - headRequest: a response to HEAD keeps Content-Length but sends no body (RFC 9110 9.3.2).
    public func serialized(keepAlive: Bool, headRequest: Bool = false) -> [UInt8] {
        var text = "HTTP/1.1 \(status.code) \(Self.sanitized(status.reason))\r\n"
        for field in headers where !Self.isFramingField(field.name) {
            text += "\(Self.sanitized(field.name)): \(Self.sanitized(field.value))\r\n"
        }
        // RFC 9110 8.6: no Content-Length in 1xx or 204 responses.
        if !status.forbidsContent {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        let sendsBody = !headRequest && !status.forbidsContent
        // One allocation for head and body: appending the body to an array sized for the head
        // would allocate again and copy the head.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + (sendsBody ? body.count : 0))
        bytes.append(contentsOf: text.utf8)
        if sendsBody { bytes.append(contentsOf: body) }
        return bytes
    }

    /// The interim response to `Expect: 100-continue` (RFC 9110 10.1.1, 15.2.1).
    public static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func isFramingField(_ name: String) -> Bool {
        name.equalsIgnoringASCIICase("Content-Length") || name.equalsIgnoringASCIICase("Connection")
            || name.equalsIgnoringASCIICase("Transfer-Encoding")
    }

    private static func sanitized(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == ByteClass.cr || $0 == ByteClass.lf }) else { return text }
        return String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}
