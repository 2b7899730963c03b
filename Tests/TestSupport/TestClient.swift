import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum TestClientError: Error {
    case connectFailed(Int32)
    case timedOut
    case closedByPeer
    case sendFailed(Int32)
    case malformedResponse
}

public struct TestResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status; self.headers = headers; self.body = body
    }
}

/// A blocking raw-socket HTTP client for tests: writes exactly the bytes given and reads
/// responses with a receive timeout, so no test waits forever.
public final class TestClient {
    private let fd: Int32
    private var pending: [UInt8] = []

    public init(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(2)) throws {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let address = info?.pointee else {
            throw TestClientError.connectFailed(EINVAL)
        }
        defer { freeaddrinfo(info) }
        // The descriptor becomes `fd` only once connected. A class whose stored properties are
        // all set runs its deinit when init throws: closing here and again in deinit closed
        // whatever descriptor the number had been given to meanwhile, on another thread (a
        // server's accepted socket in a parallel test, which then saw its peer vanish).
        let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 else {
            let code = errno
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw TestClientError.connectFailed(code)
        }
        fd = descriptor
    }

    deinit { Glibc.close(fd) }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Throws closedByPeer when the server has closed or reset the connection (EPIPE,
    /// ECONNRESET), sendFailed with the errno otherwise; a signal's interruption is retried.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else {
                let code = sent < 0 ? errno : 0
                throw code == EPIPE || code == ECONNRESET ? TestClientError.closedByPeer : TestClientError.sendFailed(code)
            }
            offset += sent
        }
    }

    /// Closes the sending side only (FIN), as a client that is done sending.
    public func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads one response: status line, fields, and a Content-Length body (none for 1xx/204).
    public func readResponse() throws -> TestResponse {
        let headEnd = try readUntil(Array("\r\n\r\n".utf8))
        let head = String(decoding: pending[..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.removeFirst().split(separator: " ")
        guard statusParts.count >= 2, statusParts[0] == "HTTP/1.1", let status = Int(statusParts[1]) else {
            throw TestClientError.malformedResponse
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError.malformedResponse }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = (100..<200).contains(status) || status == 204 ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while pending.count < length { try receive() }
        let body = Array(pending[..<length])
        pending.removeFirst(length)
        return TestResponse(status: status, headers: headers, body: body)
    }

    /// Bytes received and not yet read as a response.
    public var unreadText: String { String(decoding: pending, as: UTF8.self) }

    /// True when the server closed the connection (EOF) before the receive timeout; bytes sent
    /// before the close stay in `unreadText`.
    public func waitForClose() -> Bool {
        while true {
            do { try receive() } catch TestClientError.closedByPeer { return true } catch { return false }
        }
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if let range = pending.firstRange(of: marker) { return range.lowerBound }
            try receive()
        }
    }

    private func receive() throws {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            pending.append(contentsOf: buffer[..<count])
        } else if count == 0 || errno == ECONNRESET {
            throw TestClientError.closedByPeer
        } else {
            throw TestClientError.timedOut
        }
    }
}
