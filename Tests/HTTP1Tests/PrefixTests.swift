import HTTP1
import Testing

@Suite struct PrefixTests {
    @Test(arguments: validRequests)
    func everyPrefixOfValidRequestIsIncomplete(_ text: String) {
        let bytes = Array(text.utf8)
        for end in 0..<bytes.count {
            var parser = RequestParser()
            #expect(parser.parse(bytes[..<end]).isIncomplete, "prefix of \(end) bytes")
        }
        #expect(parse(bytes).consumed == bytes.count)
    }

    @Test(arguments: validRequests)
    func byteAtATimeGivesSameResultAsAllAtOnce(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(parseByteAtATime(bytes).summary == parse(bytes).summary)
        #expect(parseByteAtATime(bytes).request != nil)
    }

    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
    ])
    func byteAtATimeRejectsLikeAllAtOnce(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(parse(bytes).error != nil)
        #expect(parseByteAtATime(bytes).summary == parse(bytes).summary)
    }

    @Test func incompleteBodyKeepsHeadPendingForExpectContinue() throws {
        var parser = RequestParser()
        let head = wire("POST /u HTTP/1.1\nHost: a\nExpect: 100-Continue\nContent-Length: 4\n\n")
        #expect(parser.parse(head).isIncomplete)
        let pending = try #require(parser.pendingHead)
        #expect(pending.expectsContinue)
        #expect(pending.framing == .length(4))
        let result = parser.parse(head + Array("body".utf8))
        #expect(result.request?.body == Array("body".utf8))
        #expect(parser.pendingHead == nil)
    }

    @Test func pipelinedRequestsAreSplitByConsumed() {
        let first = "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        let second = "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
        let third = "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"
        var buffer = Array((first + second + third).utf8)
        var parser = RequestParser()
        var paths: [String] = []
        var bodies: [String] = []
        while case .complete(let request, let consumed) = parser.parse(buffer) {
            paths.append(request.path)
            bodies.append(String(decoding: request.body, as: UTF8.self))
            buffer.removeFirst(consumed)
        }
        #expect(paths == ["/1", "/2", "/3"])
        #expect(bodies == ["abc", "", "z"])
        #expect(buffer.isEmpty)
    }

    @Test func failedParserStaysFailedUntilReset() {
        var parser = RequestParser()
        #expect(parser.parse(Array("GET / HTTP/1.1\nHost: a\n\n".utf8)).error?.code == "invalid_line_ending")
        let good = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        #expect(parser.parse(good).error != nil)
        parser.reset()
        #expect(parser.parse(good).request?.path == "/")
    }
}
