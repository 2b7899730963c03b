import HTTP1

/// Requests in tests are written with "\n"; the wire needs CR LF.
func wire(_ text: String) -> [UInt8] {
    Array(text.replacingNewlinesWithCRLF().utf8)
}

extension String {
    func replacingNewlinesWithCRLF() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }
}

func parse(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> ParseResult {
    var parser = RequestParser(limits: limits)
    return parser.parse(bytes)
}

func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> ParseResult {
    parse(Array(text.utf8), limits: limits)
}

/// Feeds the bytes as a dribbling client would: each call sees one more byte. Returns the first
/// result that is not `.incomplete`, and whether every earlier one was.
func parseByteAtATime(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> ParseResult {
    var parser = RequestParser(limits: limits)
    for end in 1...max(bytes.count, 1) {
        let result = parser.parse(bytes[..<min(end, bytes.count)])
        if !result.isIncomplete { return result }
    }
    return .incomplete
}

extension ParseResult {
    var request: HTTPRequest? {
        if case .complete(let request, _) = self { return request }
        return nil
    }

    var consumed: Int? {
        if case .complete(_, let consumed) = self { return consumed }
        return nil
    }

    var error: HTTPParseError? {
        if case .invalid(let error) = self { return error }
        return nil
    }

    var isIncomplete: Bool {
        if case .incomplete = self { return true }
        return false
    }

    /// A comparable summary, to check that two ways of feeding bytes agree.
    var summary: String {
        switch self {
        case .complete(let request, let consumed):
            "complete \(consumed) \(request.method) \(request.target) \(request.body)"
        case .incomplete: "incomplete"
        case .invalid(let error): "invalid \(error.status.code) \(error.code)"
        }
    }
}

/// Valid requests used by the prefix and byte-at-a-time tests.
let validRequests: [String] = [
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET /x?y=1 HTTP/1.0\r\n\r\n",
    "\r\nGET /after-empty-line HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET http://example.com:8080/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n",
    "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
    "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=\"q;v\"\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
    "PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
]
