/// What one call of `RequestParser.parse` found (the three outcomes of picohttpparser).
public enum ParseResult: Sendable {
    /// A whole request; it took the first `consumed` bytes. What follows is the next request.
    case complete(HTTPRequest, consumed: Int)
    /// Need more data: call again with the same bytes and whatever arrived since.
    case incomplete
    /// The bytes are not a request this server accepts; answer `error.status`.
    case invalid(HTTPParseError)
}
