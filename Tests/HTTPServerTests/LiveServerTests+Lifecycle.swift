import TestSupport
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
        // The reply is held until after stopAccepting, so no timing can let it slip out before.
        let responder = HoldingResponder()
        try await withServer(responder: responder) { server, port in
            let busy = try TestClient(port: port)
            try busy.send("GET /held HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(await eventually { responder.count == 1 })
            let held = try #require(responder.first())
            server.stopAccepting()
            // The listener closes on its queue, a moment after stopAccepting returns.
            #expect(await eventually { (try? TestClient(port: port)) == nil })
            held.reply(HTTPResponse(status: .ok, body: Array("late".utf8)))
            let response = try busy.readResponse()
            #expect(response.bodyText == "late")
            #expect(response.headers["connection"] == "close")
            #expect(await eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func stopAcceptingClosesIdleConnections() async throws {
        try await withServer { server, port in
            let idle = try TestClient(port: port)
            try idle.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
            _ = try idle.readResponse()
            server.stopAccepting()
            #expect(idle.waitForClose())
        }
    }

    @Test func answers503BeyondConnectionCap() async throws {
        try await withServer(.test(maxConnections: 1)) { server, port in
            let first = try servedClient(port: port)
            defer { withExtendedLifetime(first) {} }  // its connection fills the cap until the end
            let second = try TestClient(port: port)
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(server.openConnectionCount == 1)
        }
    }

    @Test func refusalCarriesTheConfiguredRetryAfter() async throws {
        var configuration = ServerConfiguration.test(maxConnections: 1)
        configuration.refusalRetryAfterSeconds = 7
        try await withServer(configuration) { _, port in
            let first = try servedClient(port: port)
            defer { withExtendedLifetime(first) {} }  // its connection fills the cap until the end
            let refused = try TestClient(port: port).readResponse()
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "7")
        }
    }

    /// RFC 9112 9.6: a refused client that is still sending its request must be able to finish
    /// and read the 503. Closing a socket with unread bytes makes the kernel answer with RST, and
    /// the client's next send fails: a client that sends its whole body before reading (Python's
    /// http.client does) reports a broken pipe, not the 503. So the refusal closes as a
    /// connection does after any final response, by lingering.
    @Test func answers503BeyondConnectionCapToAClientStillSendingItsBody() async throws {
        try await withServer(.test(maxConnections: 1)) { server, port in
            let first = try servedClient(port: port)
            defer { withExtendedLifetime(first) {} }  // its connection fills the cap until the end
            let second = try TestClient(port: port)
            let body = [UInt8](repeating: 0x61, count: 64 * 1024)
            try second.send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.count)\r\n\r\n")
            // The server accepts, refuses and closes its side meanwhile; the head is unread.
            try await Task.sleep(for: .milliseconds(200))
            try second.send(body)
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(second.waitForClose())
            #expect(server.openConnectionCount == 1)
        }
    }

    /// A lingering refusal does not hold a place under the cap: once the served client leaves,
    /// the next one is served while the refused one is still open (it lingers up to 10 s).
    @Test func lingeringRefusalsDoNotCountAgainstTheCap() async throws {
        try await withServer(.test(maxConnections: 1, lingerTimeout: .seconds(10))) { server, port in
            let first = try servedClient(port: port)
            let refusedClient = try TestClient(port: port)
            #expect(try refusedClient.readResponse().status == 503)
            first.finishSending()
            #expect(await eventually { server.openConnectionCount == 0 })
            let third = try TestClient(port: port)
            try third.send("GET /three HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try third.readResponse().status == 200)
            // The lingering refusal closes as soon as its client does.
            refusedClient.finishSending()
            #expect(refusedClient.waitForClose())
        }
    }

    /// With every lingering slot taken, a refused client still gets its 503 (closed at once).
    /// The refusals linger up to 10 s, so none ends while the slots fill.
    @Test func refusesWithStatus503WhenEveryLingeringSlotIsTaken() async throws {
        try await withServer(.test(maxConnections: 1, lingerTimeout: .seconds(10))) { server, port in
            let first = try servedClient(port: port)
            defer { withExtendedLifetime(first) {} }  // its connection fills the cap until the end
            var lingering: [TestClient] = []
            for _ in 0..<HTTPServer.maxLingeringRefusals {
                let client = try TestClient(port: port)
                #expect(try client.readResponse().status == 503)
                lingering.append(client)
            }
            let beyond = try TestClient(port: port)
            let refused = try beyond.readResponse()
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(beyond.waitForClose())
            #expect(server.openConnectionCount == 1)
        }
    }

    /// A client whose request was answered and whose connection stays open (keep-alive).
    private func servedClient(port: Int) throws -> TestClient {
        let client = try TestClient(port: port)
        try client.send("GET /one HTTP/1.1\r\nHost: h\r\n\r\n")
        _ = try client.readResponse()
        return client
    }

    /// Idle keep-alive connections cost a read source each, not a thread: with 300 of them open,
    /// a new client is still answered at once.
    @Test func hundredsOfIdleKeepAliveConnectionsStarveNoOne() async throws {
        try await withServer(.test(idleTimeout: .seconds(30), maxConnections: 1024)) { server, port in
            var idle: [TestClient] = []
            for _ in 0..<300 {
                let client = try TestClient(port: port)
                try client.send("GET /k HTTP/1.1\r\nHost: h\r\n\r\n")
                _ = try client.readResponse()
                idle.append(client)
            }
            #expect(server.openConnectionCount == 300)
            let fresh = try TestClient(port: port, timeout: .seconds(1))
            try fresh.send("GET /fresh HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try fresh.readResponse().bodyText == "GET /fresh|")
            // ... and an idle one that speaks again is answered too.
            try idle[17].send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try idle[17].readResponse().bodyText == "GET /again|")
        }
    }

    @Test func everyServerSocketIsClosedAfterManyConnections() async throws {
        try await withServer { server, port in
            do {  // the count sees a live connection, so zero below means closed, not unseen
                let probe = try TestClient(port: port)
                try probe.send("GET /k HTTP/1.1\r\nHost: h\r\n\r\n")
                _ = try probe.readResponse()
                #expect(try serverSideSockets(port: port) == 1)
            }
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
            // Other suites run in parallel in this process and open descriptors of their own,
            // so count only the server's: open sockets on its port other than the listener.
            #expect(await eventually { (try? serverSideSockets(port: port)) == 0 })
        }
    }

    /// Sockets of this process whose local port is `port` and that are not listening:
    /// /proc/self/fd links name socket inodes, /proc/net/tcp{,6} map inodes to ports and states.
    private func serverSideSockets(port: Int) throws -> Int {
        var inodes = Set<String>()
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            // readlink(2) itself: Foundation resolves "socket:[inode]" as if it were a path.
            var buffer = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/" + entry, &buffer, buffer.count - 1)
            guard length > 0 else { continue }
            let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("socket:[") { inodes.insert(String(target.dropFirst(8).dropLast())) }
        }
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: procfs reports size 0, and a one-shot read stops after a page.
            guard let data = FileHandle(forReadingAtPath: table)?.readDataToEndOfFile() else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, let local = fields[1].split(separator: ":").last,
                      Int(local, radix: 16) == port, fields[3] != "0A", inodes.contains(String(fields[9])) else { continue }
                count += 1
            }
        }
        return count
    }
}
