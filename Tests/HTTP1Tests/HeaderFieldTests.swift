import HTTP1
import Testing

/// RFC 9112 5: field-line = field-name ":" OWS field-value OWS.
@Suite struct HeaderFieldTests {
    @Test func trimsOptionalWhitespaceAroundValues() {
        let request = parse("GET / HTTP/1.1\r\nHost: h\r\nX-A: \t spaced value \t\r\nX-B:tight\r\nX-C:\r\n\r\n").request
        #expect(request?.headers["x-a"] == "spaced value")
        #expect(request?.headers["X-B"] == "tight")
        #expect(request?.headers["x-c"] == "")
    }

    @Test func keepsFieldsInOrderWithCaseInsensitiveLookup() {
        let request = parse("GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\nACCEPT: b\r\nX: 1\r\n\r\n").request
        #expect(request?.headers.values(named: "accept") == ["a", "b"])
        #expect(request?.headers["Accept"] == "a")
        #expect(request?.headers.map(\.name) == ["Host", "Accept", "ACCEPT", "X"])
    }

    // RFC 9112 5.1: no whitespace between field name and colon; 400.
    @Test(arguments: ["Host : h", "Host\t: h", "X Y: z", ": novalue", "NoColon", "X(: y"])
    func rejectsMalformedFieldName(_ line: String) {
        #expect(parse("GET / HTTP/1.0\r\n\(line)\r\n\r\n").error?.code == "invalid_header_field")
    }

    // RFC 9112 5.2: obs-fold is rejected with 400.
    @Test(arguments: [" folded", "\tfolded"])
    func rejectsObsoleteLineFolding(_ continuation: String) {
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\(continuation)\r\n\r\n").error?.code == "obsolete_line_folding")
    }

    // Bare LF and bare CR are refused: a proxy reading them differently would smuggle requests.
    @Test(arguments: [
        "GET / HTTP/1.1\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\n",
        "GET / HTTP/1.1\rHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n",
    ])
    func rejectsBareLineFeedOrCarriageReturnInHead(_ text: String) {
        let error = parse(text).error
        #expect(error?.code == "invalid_line_ending")
        #expect(error?.closesConnection == true)
    }

    @Test(arguments: ["X: a\u{00}b", "X: a\u{1B}b", "X: \u{7F}"])
    func rejectsControlCharactersInValue(_ line: String) {
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\(line)\r\n\r\n").error?.status == .badRequest)
    }

    // RFC 9112 3.2: 400 for an HTTP/1.1 request without Host, or any with more than one.
    @Test func requiresHostForHTTP11() {
        #expect(parse("GET / HTTP/1.1\r\n\r\n").error?.code == "invalid_host")
    }

    @Test(arguments: ["HTTP/1.1", "HTTP/1.0"])
    func rejectsDuplicateHost(_ version: String) {
        #expect(parse("GET / \(version)\r\nHost: a\r\nhost: b\r\n\r\n").error?.code == "invalid_host")
    }

    // RFC 6585 5: 431 when the header section is too large.
    @Test func rejectsHeaderSectionOverLimitWith431() {
        let limits = HTTPLimits(maxHeaderBytes: 64)
        let field = "X: " + String(repeating: "v", count: 40) + "\r\n"
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\(field)\r\n", limits: limits).request != nil)
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\(field)\(field)\r\n", limits: limits).error?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func rejectsOversizedHeaderSectionBeforeItEnds() {
        let unfinished = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 100)
        #expect(parse(unfinished, limits: HTTPLimits(maxHeaderBytes: 64)).error?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func rejectsTooManyFieldsWith431() {
        let limits = HTTPLimits(maxHeaderCount: 3)
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits).request != nil)
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).error?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func keepsObsTextInValues() {
        let request = parse(Array("GET / HTTP/1.1\r\nHost: h\r\nX: caf".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8)).request
        #expect(request?.headers["X"] == "café")
    }
}

/// RFC 9112 9.3: persistence.
@Suite struct KeepAliveTests {
    @Test(arguments: [
        ("HTTP/1.1", "", true),
        ("HTTP/1.1", "Connection: close\r\n", false),
        ("HTTP/1.1", "Connection: CLOSE\r\n", false),
        ("HTTP/1.1", "Connection: keep-alive, Close\r\n", false),
        ("HTTP/1.1", "Connection: upgrade\r\nConnection: close\r\n", false),
        ("HTTP/1.1", "Connection: keep-alive\r\n", true),
        ("HTTP/1.0", "", false),
        ("HTTP/1.0", "Connection: keep-alive\r\n", true),
        ("HTTP/1.0", "Connection: Keep-Alive\r\n", true),
        ("HTTP/1.0", "Connection: keep-alive, close\r\n", false),
    ])
    func followsPersistenceRules(_ version: String, _ fields: String, _ expected: Bool) {
        #expect(parse("GET / \(version)\r\nHost: h\r\n\(fields)\r\n").request?.keepAlive == expected)
    }
}
