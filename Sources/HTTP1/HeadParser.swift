/// Validates a request head whose lines `HeadScanner` found, and builds a `RequestHead`.
enum HeadParser {
    static func parse(
        _ bytes: UnsafeRawBufferPointer, lines: [Range<Int>], limits: HTTPLimits
    ) -> Result<RequestHead, HTTPParseError> {
        guard let requestLine = lines.first else { return .failure(.invalidRequestLine) }
        let line: RequestLine
        switch RequestLine.parse(bytes[requestLine]) {
        case .failure(let error): return .failure(error)
        case .success(let parsed): line = parsed
        }
        var headers = HTTPHeaders()
        for fieldLine in lines.dropFirst() {
            switch FieldLine.parse(bytes[fieldLine]) {
            case .failure(let error): return .failure(error)
            case .success(let field): headers.add(name: field.name, value: field.value)
            }
        }
        return makeHead(line, headers: headers)
    }

    private static func makeHead(_ line: RequestLine, headers: HTTPHeaders) -> Result<RequestHead, HTTPParseError> {
        var headers = headers
        // RFC 9112 3.2: 400 for an HTTP/1.1 request without Host, or any request with several.
        let hosts = headers.values(named: "Host")
        guard hosts.count <= 1, line.version == .http10 || hosts.count == 1 else {
            return .failure(.missingHost)
        }
        // RFC 9112 3.2.2: with an absolute-form target, the target's authority replaces Host.
        if let authority = line.authority {
            headers.replaceOrAdd(name: "Host", value: authority)
        }
        let framing: BodyFraming
        switch BodyFramingRules.framing(of: headers, version: line.version) {
        case .failure(let error): return .failure(error)
        case .success(let found): framing = found
        }
        return .success(RequestHead(
            method: line.method, target: line.target, path: line.path, query: line.query,
            version: line.version, headers: headers, framing: framing,
            keepAlive: keepAlive(version: line.version, headers: headers),
            // RFC 9110 10.1.1: the expectation is compared case-insensitively.
            expectsContinue: headers.containsToken("100-continue", inField: "Expect")))
    }

    /// RFC 9112 9.3: `close` ends the connection; otherwise HTTP/1.1 persists, and HTTP/1.0
    /// persists only with `Connection: keep-alive`.
    static func keepAlive(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
        if headers.containsToken("close", inField: "Connection") { return false }
        switch version {
        case .http11: return true
        case .http10: return headers.containsToken("keep-alive", inField: "Connection")
        }
    }
}

/// One header field line: `field-name ":" OWS field-value OWS` (RFC 9112 5).
enum FieldLine {
    static func parse(_ line: Slice<UnsafeRawBufferPointer>) -> Result<(name: String, value: String), HTTPParseError> {
        guard let first = line.first else { return .failure(.invalidHeaderField) }
        // RFC 9112 5.2: a server must reject obs-fold (a line starting with SP or HTAB) with
        // 400, or unfold it; rejecting is the safe choice.
        if ByteClass.isWhitespace(first) { return .failure(.obsoleteLineFolding) }
        // RFC 9112 5.1: no whitespace between the name and the colon; such a request gets 400.
        guard let colon = line.firstIndex(where: { !ByteClass.isTokenChar($0) }),
              colon > line.startIndex, line[colon] == ByteClass.colon else {
            return .failure(.invalidHeaderField)
        }
        let rawValue = line[(colon + 1)...]
        guard rawValue.allSatisfy(ByteClass.isFieldValueChar) else { return .failure(.invalidHeaderField) }
        let valueStart = rawValue.firstIndex { !ByteClass.isWhitespace($0) } ?? rawValue.endIndex
        let valueEnd = rawValue.lastIndex { !ByteClass.isWhitespace($0) }.map { $0 + 1 } ?? valueStart
        return .success((String(bytes: line[line.startIndex..<colon]), String(bytes: line[valueStart..<valueEnd])))
    }
}
