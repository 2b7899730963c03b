import HTTPTestSupport
import Foundation
import HTTP1
import HTTPServer
import Testing

extension LiveServerTests {
    // Slowloris: the head must be complete within the header timeout however bytes dribble.
    @Test func closesSlowHeaderClientWhileServingOthers() async throws {
        try await withServer(.test(headerTimeout: .milliseconds(500))) { _, port in
            let slow = try TestClient(port: port, timeout: .milliseconds(100))
            try slow.send("GET / HTTP/1.1\r\n")
            var closed = false
            for round in 0..<20 where !closed {
                if round == 2 {
                    let other = try TestClient(port: port)
                    try other.send("GET /other HTTP/1.1\r\nHost: h\r\n\r\n")
                    #expect(try other.readResponse().bodyText == "GET /other|")
                }
                do { try slow.send("X") } catch { closed = true }
                if !closed { closed = slow.waitForClose() }
            }
            #expect(closed)
            // RFC 9110 15.5.9: the server says why before closing.
            #expect(slow.unreadText.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        }
    }

    @Test func closesIdleKeepAliveConnectionAfterIdleTimeout() async throws {
        try await withServer(.test(idleTimeout: .milliseconds(300))) { server, port in
            let client = try TestClient(port: port)
            for path in ["/a", "/b"] {
                try client.send("GET \(path) HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(try client.readResponse().bodyText == "GET \(path)|")
            }
            #expect(client.waitForClose())
            #expect(client.unreadText.isEmpty) // an idle close says nothing
            #expect(await eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func peerCloseTurnsIsClientConnectedFalse() async throws {
        let responder = HoldingResponder()
        try await withServer(responder: responder) { _, port in
            var client: TestClient? = try TestClient(port: port)
            try client?.send("GET /wait HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(await eventually { responder.count == 1 })
            let held = try #require(responder.first())
            #expect(held.context.isClientConnected())
            #expect(held.context.peerAddress.hasPrefix("127.0.0.1:"))
            client = nil
            #expect(await eventually { !held.context.isClientConnected() })
            held.reply(HTTPResponse(status: .ok)) // late reply to a gone client: ignored
        }
    }

    @Test func stopAcceptingStillDeliversInFlightReply() async throws {
        try await withServer { server, port in
            let busy = try TestClient(port: port)
            let idle = try TestClient(port: port)
            try busy.send("GET /sleep/300 HTTP/1.1\r\nHost: h\r\n\r\n")
            try idle.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
            _ = try idle.readResponse()
            try await Task.sleep(for: .milliseconds(50))
            server.stopAccepting()
            #expect(idle.waitForClose())
            #expect(throws: TestClientError.self) { try TestClient(port: port) }
            let response = try busy.readResponse()
            #expect(response.bodyText == "GET /sleep/300|")
            #expect(response.headers["connection"] == "close")
            #expect(await eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func answers503BeyondConnectionCap() async throws {
        try await withServer(.test(maxConnections: 1)) { server, port in
            let first = try TestClient(port: port)
            try first.send("GET /one HTTP/1.1\r\nHost: h\r\n\r\n")
            _ = try first.readResponse()
            let second = try TestClient(port: port)
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(server.openConnectionCount == 1)
        }
    }

    @Test func descriptorCountDoesNotGrowOverManyConnections() async throws {
        try await withServer { server, port in
            let before = try openDescriptorCount()
            for index in 0..<200 {
                let client = try TestClient(port: port)
                switch index % 4 {
                case 0: try client.send("GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"); _ = try client.readResponse()
                case 1: try client.send("GET /k HTTP/1.1\r\nHost: h\r\n\r\n"); _ = try client.readResponse()
                case 2: try client.send("BAD\r\n\r\n"); _ = try client.readResponse()
                default: try client.send("GET /partial HTTP/1.1\r\n")
                }
            }
            #expect(await eventually { server.openConnectionCount == 0 })
            #expect(try openDescriptorCount() == before)
        }
    }

    private func openDescriptorCount() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }
}
