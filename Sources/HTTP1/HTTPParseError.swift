/// Why bytes were refused: the status to answer, a stable snake_case code for the error body,
/// and a message for people.
///
/// Every error the parser reports today closes the connection: once framing is in doubt, the
/// parser cannot know where the next request starts, and guessing is how smuggling works
/// (RFC 9112 11.2). The flag stays part of the value so that callers never have to assume.
public struct HTTPParseError: Error, Sendable, Hashable {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var closesConnection: Bool

    public init(status: HTTPStatus, code: String, message: String, closesConnection: Bool = true) {
        self.status = status
        self.code = code
        self.message = message
        self.closesConnection = closesConnection
    }
}

extension HTTPParseError {
    static func badRequest(_ code: String, _ message: String) -> HTTPParseError {
        HTTPParseError(status: .badRequest, code: code, message: message)
    }

    static let bareLineFeed = badRequest(
        "invalid_line_ending", "a line in the request ends in LF without CR")
    static let bareCarriageReturn = badRequest(
        "invalid_line_ending", "a CR in the request is not followed by LF")
    static let invalidRequestLine = badRequest(
        "invalid_request_line", "the request line is not 'method SP target SP HTTP-version'")
    static let invalidTarget = badRequest(
        "invalid_request_target", "the request target is not origin-, absolute- or asterisk-form")
    static let invalidHeaderField = badRequest(
        "invalid_header_field", "a header field is not 'name: value' with a token name")
    static let obsoleteLineFolding = badRequest(
        "obsolete_line_folding", "a header field line starts with whitespace (obs-fold)")
    static let missingHost = badRequest(
        "invalid_host", "an HTTP/1.1 request must carry exactly one Host header")
    static let invalidContentLength = badRequest(
        "invalid_content_length", "Content-Length is not one non-negative decimal number")
    static let contentLengthWithTransferEncoding = badRequest(
        "content_length_with_transfer_encoding", "a request must not carry both Content-Length and Transfer-Encoding")
    static let transferEncodingInHTTP10 = badRequest(
        "invalid_transfer_encoding", "HTTP/1.0 has no Transfer-Encoding")
    static let chunkedNotFinal = badRequest(
        "invalid_transfer_encoding", "the final transfer coding of a request must be chunked, applied once")
    static let invalidChunk = badRequest(
        "invalid_chunk", "the chunked body is malformed")

    static let unsupportedTransferCoding = HTTPParseError(
        status: .notImplemented, code: "unsupported_transfer_coding",
        message: "only the chunked transfer coding is supported")
    static let connectNotSupported = HTTPParseError(
        status: .notImplemented, code: "method_not_implemented",
        message: "this server is not a proxy; CONNECT is not supported")
    static let unsupportedVersion = HTTPParseError(
        status: .versionNotSupported, code: "version_not_supported",
        message: "only HTTP/1.0 and HTTP/1.1 are supported")
    static let requestLineTooLong = HTTPParseError(
        status: .uriTooLong, code: "uri_too_long", message: "the request line is too long")
    static let headerFieldsTooLarge = HTTPParseError(
        status: .requestHeaderFieldsTooLarge, code: "header_fields_too_large",
        message: "the header section is too large or has too many fields")

    static func payloadTooLarge(limit: Int) -> HTTPParseError {
        HTTPParseError(status: .payloadTooLarge, code: "payload_too_large",
                       message: "the request body exceeds \(limit) bytes")
    }
}
