import HTTP1
import Testing

/// RFC 9112 3: request-line = method SP request-target SP HTTP-version.
@Suite struct RequestLineTests {
    @Test func originFormSplitsPathAndQueryWithoutDecoding() throws {
        let request = try #require(parse("GET /a%20b/c?x=1&y=%41 HTTP/1.1\r\nHost: h\r\n\r\n").request)
        #expect(request.method == "GET")
        #expect(request.target == "/a%20b/c?x=1&y=%41")
        #expect(request.path == "/a%20b/c")
        #expect(request.query == "x=1&y=%41")
        #expect(request.version == .http11)
    }

    @Test func originFormWithoutQueryHasNilQuery() {
        #expect(parse("GET /p HTTP/1.1\r\nHost: h\r\n\r\n").request?.query == nil)
        #expect(parse("GET /p? HTTP/1.1\r\nHost: h\r\n\r\n").request?.query == "")
    }

    // RFC 9112 3.2.2: path and query from the URI, Host replaced by its authority.
    @Test func absoluteFormTakesPathQueryAndHostFromURI() throws {
        let request = try #require(parse("GET HTTP://example.com:81/p/q?z=2 HTTP/1.1\r\nHost: other\r\n\r\n").request)
        #expect(request.path == "/p/q")
        #expect(request.query == "z=2")
        #expect(request.headers["host"] == "example.com:81")
        #expect(request.headers.values(named: "Host").count == 1)
    }

    @Test func absoluteFormWithEmptyPathMeansSlash() {
        #expect(parse("GET http://h?q HTTP/1.1\r\nHost: h\r\n\r\n").request?.path == "/")
    }

    @Test(arguments: ["ftp://h/p", "http:///p", "http://user@h/p", "http:/h/p", "h/p"])
    func rejectsMalformedAbsoluteForm(_ target: String) {
        #expect(parse("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n").error?.code == "invalid_request_target")
    }

    // RFC 9112 3.2.4: asterisk-form only for OPTIONS.
    @Test func asteriskFormOnlyForOptions() {
        #expect(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").request?.path == "*")
        #expect(parse("GET * HTTP/1.1\r\nHost: h\r\n\r\n").error?.status == .badRequest)
    }

    @Test func connectIsNotImplemented() {
        #expect(parse("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").error?.status == .notImplemented)
    }

    @Test func acceptsHTTP10WithoutHost() {
        #expect(parse("GET / HTTP/1.0\r\n\r\n").request?.version == .http10)
    }

    // RFC 9110 15.6.6: a well-formed version other than 1.0 and 1.1 gets 505.
    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.1"])
    func rejectsOtherVersionsWith505(_ version: String) {
        #expect(parse("GET / \(version)\r\nHost: h\r\n\r\n").error?.status == .versionNotSupported)
    }

    @Test(arguments: ["HTTP/1", "http/1.1", "HTTP/1.1 ", "HTTP/11", "HTTP/1.1x", "HTTP/a.b"])
    func rejectsMalformedVersionWith400(_ version: String) {
        #expect(parse("GET / \(version)\r\nHost: h\r\n\r\n").error?.status == .badRequest)
    }

    // RFC 9112 3: single SP separators.
    @Test(arguments: ["GET  / HTTP/1.1", "GET /  HTTP/1.1", "GET\t/ HTTP/1.1", " GET / HTTP/1.1", "GET / HTTP/1.1 x", "GET /"])
    func rejectsAnythingButSingleSpaceSeparators(_ line: String) {
        #expect(parse("\(line)\r\nHost: h\r\n\r\n").error?.status == .badRequest)
    }

    @Test(arguments: ["GE(T", "G\u{7F}T", "ÄGET", "GET:"])
    func rejectsMethodThatIsNotAToken(_ method: String) {
        #expect(parse("\(method) / HTTP/1.1\r\nHost: h\r\n\r\n").error?.code == "invalid_request_line")
    }

    @Test(arguments: ["/a#frag", "/a\u{01}b", "/é"])
    func rejectsFragmentsAndNonVisibleCharactersInTarget(_ target: String) {
        #expect(parse("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n").error?.status == .badRequest)
    }

    // RFC 9112 3: 414 for a request-target longer than the server wishes to parse.
    @Test func rejectsRequestLineOverLimitWith414() {
        let limits = HTTPLimits(maxRequestLineBytes: 64)
        let fits = "GET /\(String(repeating: "a", count: 50)) HTTP/1.1"
        #expect(fits.utf8.count == 64)
        #expect(parse("\(fits)\r\nHost: h\r\n\r\n", limits: limits).request != nil)
        let long = "GET /\(String(repeating: "a", count: 51)) HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(parse(long, limits: limits).error?.status == .uriTooLong)
    }

    @Test func rejectsOverlongRequestLineBeforeItEnds() {
        let limits = HTTPLimits(maxRequestLineBytes: 64)
        let unfinished = "GET /" + String(repeating: "a", count: 100)
        #expect(parse(unfinished, limits: limits).error?.status == .uriTooLong)
    }

    // RFC 9112 2.2: empty lines before the request line are ignored, but not endlessly.
    @Test func ignoresEmptyLinesBeforeRequestLineWithinLimit() {
        #expect(parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n").request?.path == "/x")
        let endless = String(repeating: "\r\n", count: 100)
        #expect(parse(endless, limits: HTTPLimits(maxRequestLineBytes: 64)).error?.status == .uriTooLong)
    }
}
