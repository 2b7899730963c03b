/// How the length of a request's body is determined (RFC 9112 6.3).
public enum BodyFraming: Sendable, Hashable {
    /// Content-Length gave this many bytes; neither header means 0 (RFC 9112 6.3 item 7).
    case length(Int)
    /// Transfer-Encoding ends in chunked (RFC 9112 7.1).
    case chunked
}

/// The request line and header section of a request, validated; its body may still be on its way.
public struct RequestHead: Sendable, Hashable {
    public var method: String
    /// The request-target exactly as sent.
    public var target: String
    /// The target's path, before any '?'; percent-decoding is NOT applied. "*" for asterisk-form.
    public var path: String
    /// The target's query, after the first '?', without it; nil when there is no '?'.
    public var query: String?
    public var version: HTTPVersion
    /// Header fields as sent, except that an absolute-form target replaces Host (RFC 9112 3.2.2).
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    /// Whether the connection may carry another request after this one (RFC 9112 9.3).
    public var keepAlive: Bool
    /// `Expect: 100-continue` (RFC 9110 10.1.1): the client waits for 100 before sending the body.
    public var expectsContinue: Bool
}
