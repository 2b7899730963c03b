import HTTP1
import Testing

/// Request smuggling (RFC 9112 11.2): each attempt is refused, and the connection closes.
@Suite struct SmugglingTests {
    @Test(arguments: [
        "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
        "Transfer-Encoding: chunked, identity\r\n",
        "Transfer-Encoding: xchunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
        "Transfer-Encoding : chunked\r\n",
        "Transfer-Encoding\t: chunked\r\n",
        " Transfer-Encoding: chunked\r\n",
        "\tTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: \u{0B}chunked\r\n",
        "Transfer_Encoding: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n",
        "Content-Length: 4\r\nContent-Length: 5\r\n",
        "Content-Length: 4, 5\r\n",
        "Content-Length: 4\r\n Content-Length: 5\r\n",
        "Transfer-Encoding: chunked\nX: y\r\n",
    ])
    func refusesSmugglingAttemptInHead(_ fields: String) {
        expectRefusedAndClosing("POST / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n")
    }

    @Test(arguments: [
        "10000000000000001\r\nx\r\n0\r\n\r\n",
        "3\nabc\r\n0\r\n\r\n",
        "3\r\nabc\n0\r\n\r\n",
        "3\rabc\r\n0\r\n\r\n",
        "3\r\nabc0\r\n\r\n",
    ])
    func refusesSmugglingAttemptInChunkedBody(_ body: String) {
        expectRefusedAndClosing("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\(body)GET /smuggled HTTP/1.1\r\n\r\n")
    }

    private func expectRefusedAndClosing(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = parse(text).error
        #expect(error?.status == .badRequest, sourceLocation: sourceLocation)
        #expect(error?.closesConnection == true, sourceLocation: sourceLocation)
        #expect(parseByteAtATime(Array(text.utf8)).summary == parse(text).summary, sourceLocation: sourceLocation)
    }
}
