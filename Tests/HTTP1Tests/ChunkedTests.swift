import HTTP1
import Testing

/// RFC 9112 7.1: chunked transfer coding.
@Suite struct ChunkedTests {
    private let head = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"

    private func chunked(_ body: String, limits: HTTPLimits = HTTPLimits()) -> ParseResult {
        parse(head + body, limits: limits)
    }

    @Test func decodesChunksIntoOneBody() {
        let result = chunked("3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\nNEXT")
        #expect(result.request?.body == Array("abc0123456789".utf8))
        #expect(result.consumed == (head + "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n").utf8.count)
    }

    @Test func chunkDataMayContainCRLF() {
        #expect(chunked("4\r\n\r\n\r\n\r\n0\r\n\r\n").request?.body == Array("\r\n\r\n".utf8))
    }

    // RFC 9112 7.1.1: extensions are accepted and ignored.
    @Test(arguments: [";a", ";a=b", " ; a = b", ";a=\"quoted; \\\"str\\\"\"", ";a;b=c;d=\"\"", "\t;a"])
    func ignoresChunkExtensions(_ ext: String) {
        #expect(chunked("2\(ext)\r\nhi\r\n0\(ext)\r\n\r\n").request?.body == Array("hi".utf8))
    }

    @Test(arguments: [";", ";=b", ";a=", ";a=\"open", "junk", " ", ";a b", ";a=b c"])
    func rejectsMalformedChunkExtensions(_ ext: String) {
        #expect(chunked("2\(ext)\r\nhi\r\n0\r\n\r\n").error?.code == "invalid_chunk")
    }

    // RFC 9112 7.1.2: trailers are parsed and discarded.
    @Test func discardsTrailerFields() {
        let request = chunked("1\r\nz\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n").request
        #expect(request?.body == Array("z".utf8))
        #expect(request?.headers["X-Checksum"] == nil)
    }

    @Test func rejectsMalformedTrailer() {
        #expect(chunked("0\r\nBad Trailer: x\r\n\r\n").error?.code == "invalid_header_field")
    }

    @Test func appliesHeaderLimitsToTrailers() {
        let limits = HTTPLimits(maxHeaderCount: 2)
        #expect(chunked("0\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits).request != nil)
        #expect(chunked("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).error?.status == .requestHeaderFieldsTooLarge)
        let big = "0\r\nA: " + String(repeating: "x", count: 100)
        #expect(chunked(big, limits: HTTPLimits(maxHeaderBytes: 64)).error?.status == .requestHeaderFieldsTooLarge)
    }

    @Test(arguments: ["", "g", "-1", "0x1", " 1", "+1"])
    func rejectsChunkSizeThatIsNotHex(_ size: String) {
        #expect(chunked("\(size)\r\nx\r\n0\r\n\r\n").error?.code == "invalid_chunk")
    }

    @Test(arguments: ["10000000000000000", "ffffffffffffffffff", "8000000000000000"])
    func rejectsChunkSizeOverflow(_ size: String) {
        let error = chunked("\(size)\r\nx").error
        #expect(error != nil)
        #expect(error?.closesConnection == true)
    }

    @Test func rejectsMissingCRLFAfterChunkData() {
        #expect(chunked("2\r\nhiX\r\n0\r\n\r\n").error?.code == "invalid_chunk")
    }

    @Test(arguments: ["2\nhi\r\n0\r\n\r\n", "2\rhi\r\n0\r\n\r\n", "2\r\nhi\n0\r\n\r\n", "2\r\nhi\r\n0\n\r\n", "2\r\nhi\r\n0\r\n\n"])
    func rejectsBareLineFeedOrCarriageReturnInChunkLines(_ body: String) {
        let error = chunked(body).error
        #expect(error?.status == .badRequest)
        #expect(error?.closesConnection == true)
    }

    @Test func rejectsOverlongChunkLine() {
        let limits = HTTPLimits(maxChunkLineBytes: 16)
        #expect(chunked("1;" + String(repeating: "a", count: 20), limits: limits).error?.code == "invalid_chunk")
    }

    @Test func rejectsDecodedBodyOverLimitWith413() {
        let limits = HTTPLimits(maxBodyBytes: 5)
        #expect(chunked("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", limits: limits).request?.body.count == 5)
        #expect(chunked("3\r\nabc\r\n3\r\n", limits: limits).error?.status == .payloadTooLarge)
    }
}
