import TestSupport
import Foundation
import HTTP1
import HTTPServer
import Testing

/// Live tests against a server on a loopback ephemeral port. Serialized: the descriptor-count
/// test must not see other tests' sockets.
@Suite(.serialized) struct LiveServerTests {
    func withServer(
        _ configuration: ServerConfiguration = .test(), responder: some HTTPResponder = EchoResponder(),
        _ body: (HTTPServer, Int) async throws -> Void
    ) async throws {
        let server = HTTPServer(configuration: configuration, responder: responder)
        let port = try server.start()
        do {
            try await body(server, port)
        } catch {
            await server.shutdown(grace: .zero)
            throw error
        }
        await server.shutdown(grace: .zero)
    }

    @Test func servesSeveralRequestsOnOneKeepAliveConnection() async throws {
        try await withServer { _, port in
            let client = try TestClient(port: port)
            for index in 0..<3 {
                try client.send("POST /k\(index) HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nb\(index)")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyText == "POST /k\(index)|b\(index)")
                #expect(response.headers["connection"] == "keep-alive")
            }
        }
    }

    @Test func answersPipelinedRequestsInOrder() async throws {
        try await withServer { _, port in
            let client = try TestClient(port: port)
            // The first answer is the slowest; it must still come first.
            try client.send("GET /sleep/200 HTTP/1.1\r\nHost: h\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n")
            let bodies = try (0..<3).map { _ in try client.readResponse().bodyText }
            #expect(bodies == ["GET /sleep/200|", "GET /a|", "POST /b|z"])
        }
    }

    // RFC 9110 10.1.1: the client sees 100 Continue, sends the body, then gets the response.
    @Test func answersExpectContinueBeforeTheBody() async throws {
        try await withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send("hello")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.bodyText == "PUT /up|hello")
        }
    }

    @Test func refusesDeclaredOversizedBodyWith413WithoutReadingIt() async throws {
        try await withServer { _, port in
            let client = try TestClient(port: port)
            // 30 MB declared, nothing of it sent: the answer must come anyway.
            try client.send("POST /big HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 31457280\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.headers["connection"] == "close")
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.bodyText.contains("\"code\":\"payload_too_large\""))
            #expect(client.waitForClose())
        }
    }

    @Test func answersParseErrorWithJSONAndCloses() async throws {
        try await withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.bodyText == String(decoding: ErrorBody.render(
                code: "content_length_with_transfer_encoding",
                message: "a request must not carry both Content-Length and Transfer-Encoding"), as: UTF8.self))
            #expect(client.waitForClose())
        }
    }

    @Test func closesAfterResponseWhenClientAsksForClose() async throws {
        try await withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("GET /bye HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.headers["connection"] == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func servesIPv6Loopback() async throws {
        try await withServer(.test(host: "::1")) { _, port in
            let client = try TestClient(host: "::1", port: port)
            try client.send("GET /six HTTP/1.1\r\nHost: [::1]\r\n\r\n")
            #expect(try client.readResponse().bodyText == "GET /six|")
        }
    }

    @Test func refusesUnparsableHost() {
        let server = HTTPServer(configuration: .test(host: "localhost"), responder: EchoResponder())
        #expect(throws: SocketError.self) { try server.start() }
    }
}

extension LiveServerTests {
    @Test func reportsEachExchange() async throws {
        let records = RecordCollector()
        let server = HTTPServer(configuration: .test(), responder: EchoResponder(), onExchange: records.add)
        let port = try server.start()
        let client = try TestClient(port: port)
        let request = "POST /rec HTTP/1.1\r\nHost: h\r\nX-Request-ID: abc\r\nContent-Length: 3\r\n\r\nxyz"
        try client.send(request)
        _ = try client.readResponse()
        #expect(await eventually { records.all.count == 1 })
        let record = try #require(records.all.first)
        #expect(record.method == "POST" && record.path == "/rec" && record.status == 200)
        #expect(record.bytesIn == request.utf8.count)
        #expect(record.requestID == "abc")
        #expect(record.peerAddress.hasPrefix("127.0.0.1:"))
        await server.shutdown(grace: .zero)
    }
}
