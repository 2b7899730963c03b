import HTTP1
import Testing

/// RFC 9112 6: message body length.
@Suite struct BodyFramingTests {
    private func post(_ fields: String, body: String = "") -> ParseResult {
        parse("POST /u HTTP/1.1\r\nHost: h\r\n\(fields)\r\n\(body)")
    }

    @Test func readsContentLengthBodyAndLeavesTheRest() {
        let result = post("Content-Length: 5\r\n", body: "helloGET")
        #expect(result.request?.body == Array("hello".utf8))
        #expect(result.consumed == "POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello".utf8.count)
    }

    // RFC 9112 6.3 item 7: neither Content-Length nor Transfer-Encoding: no body.
    @Test func requestWithoutLengthHasEmptyBody() {
        let result = post("", body: "GET / HTTP/1.1")
        #expect(result.request?.body == [])
        #expect(result.request?.headers["Content-Length"] == nil)
        #expect(result.request?.head.framing == .length(0))
    }

    // RFC 9112 6.3 item 5: repeated identical values are one value.
    @Test(arguments: ["Content-Length: 3\r\nContent-Length: 3\r\n", "Content-Length: 3, 3\r\n", "Content-Length: 3,3\r\n"])
    func acceptsRepeatedIdenticalContentLength(_ fields: String) {
        #expect(post(fields, body: "abc").request?.body == Array("abc".utf8))
    }

    @Test(arguments: ["Content-Length: 3\r\nContent-Length: 4\r\n", "Content-Length: 3, 4\r\n", "Content-Length: 3,\r\n"])
    func rejectsDifferingContentLengths(_ fields: String) {
        let error = post(fields, body: "abcd").error
        #expect(error?.code == "invalid_content_length")
        #expect(error?.closesConnection == true)
    }

    @Test(arguments: ["+5", "-1", "0x5", "5 5", "", "five", "1e3", "٣"])
    func rejectsContentLengthThatIsNotDigits(_ value: String) {
        #expect(post("Content-Length: \(value)\r\n").error?.code == "invalid_content_length")
    }

    @Test func rejectsContentLengthOverflow() {
        #expect(post("Content-Length: 99999999999999999999999\r\n").error?.status == .badRequest)
    }

    // RFC 9110 15.5.14: 413 as soon as the head declares too much, without waiting for the body.
    @Test func rejectsDeclaredBodyOverLimitWith413RightAfterHead() {
        let limits = HTTPLimits(maxBodyBytes: 10)
        let head = "POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"
        let error = parse(head, limits: limits).error
        #expect(error?.status == .payloadTooLarge)
        #expect(error?.code == "payload_too_large")
        #expect(parse("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n", limits: limits).isIncomplete)
    }

    // RFC 9112 6.1: HTTP/1.0 has no Transfer-Encoding.
    @Test func rejectsTransferEncodingInHTTP10() {
        #expect(parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").error?.status == .badRequest)
    }

    // RFC 9112 6.1: a transfer coding the server does not understand: 501.
    @Test(arguments: ["gzip, chunked", "deflate,chunked", "gzip\r\nTransfer-Encoding: chunked"])
    func rejectsUnknownCodingBeforeChunkedWith501(_ codings: String) {
        let error = post("Transfer-Encoding: \(codings)\r\n").error
        #expect(error?.status == .notImplemented)
        #expect(error?.closesConnection == true)
    }

    // RFC 9112 6.3 item 4: chunked not final means the length is unknown: 400 and close.
    @Test(arguments: ["gzip", "identity", "chunked, gzip", "chunked;x=1", "chunked, chunked", "", ","])
    func rejectsTransferEncodingWithoutChunkedExactlyOnceAtTheEnd(_ codings: String) {
        #expect(post("Transfer-Encoding: \(codings)\r\n").error?.status == .badRequest)
    }

    @Test(arguments: ["chunked", "Chunked", "CHUNKED", " chunked ", "chunked, "])
    func acceptsChunkedInAnyCaseAndWithOWS(_ coding: String) {
        #expect(post("Transfer-Encoding: \(coding)\r\n", body: "0\r\n\r\n").request?.head.framing == .chunked)
    }
}
