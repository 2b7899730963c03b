#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thin wrapper over a non-blocking TCP socket descriptor: each call returns what happened
/// as a value, with errno turned into `SocketError`. It owns nothing: whoever holds it decides
/// when to `close()` it, exactly once.
struct Socket: Sendable, Hashable {
    let fd: Int32

    enum ReadOutcome {
        case bytes(Int)
        /// The peer closed its side (read returned 0).
        case endOfStream
        case wouldBlock
        case failed(SocketError)
    }

    enum SendOutcome {
        case sent(Int)
        case wouldBlock
        case failed(SocketError)
    }

    /// A non-blocking listening socket bound to `host` (a numeric IPv4 or IPv6 literal).
    static func listening(host: String, port: Int, backlog: Int) throws(SocketError) -> Socket {
        let address = try SocketAddress(host: host, port: port)
        let fd = socket(address.family, Platform.streamSocket, 0)
        guard fd >= 0 else { throw SocketError(.socket) }
        let socket = Socket(fd: fd)
        do throws(SocketError) {
            // Restart on the same port while old connections sit in TIME_WAIT.
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            try socket.setNonBlocking()
            try socket.setCloseOnExec()
            guard address.withSockAddr({ bind(fd, $0, $1) }) == 0 else { throw SocketError(.bind) }
            guard listen(fd, Int32(clamping: backlog)) == 0 else { throw SocketError(.listen) }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// The port the socket is bound to (the kernel's choice when asked for port 0).
    func boundPort() throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError(.getsockname) }
        return SocketAddress.describe(storage).port
    }

    /// The next pending connection, non-blocking, with TCP_NODELAY set (responses are written
    /// whole; Nagle's delay would only add latency). nil when none is pending.
    func accept() throws(SocketError) -> (socket: Socket, peer: String)? {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Platform.systemAccept(fd, $0, &length) }
            }
            if client < 0 {
                let code = Platform.errno
                if Platform.wouldBlock(code) { return nil }
                // The peer gave up before we accepted, or a signal interrupted: try the next one.
                if code == ECONNABORTED || code == EINTR { continue }
                throw SocketError(.accept, errno: code)
            }
            let socket = Socket(fd: client)
            do {
                try socket.setNonBlocking()
                try socket.setCloseOnExec()
                try socket.setOption(Platform.tcpProtocol, Platform.tcpNoDelay, 1)
            } catch {
                socket.close()
                continue
            }
            return (socket, SocketAddress.describe(storage).text)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        while true {
            let count = Platform.systemRead(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .endOfStream }
            let code = Platform.errno
            if code == EINTR { continue }
            return Platform.wouldBlock(code) ? .wouldBlock : .failed(SocketError(.read, errno: code))
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> SendOutcome {
        while true {
            let count = Platform.systemSend(fd, bytes.baseAddress, bytes.count, Platform.sendFlags)
            if count >= 0 { return .sent(count) }
            let code = Platform.errno
            if code == EINTR { continue }
            return Platform.wouldBlock(code) ? .wouldBlock : .failed(SocketError(.send, errno: code))
        }
    }

    /// Sends FIN: the peer reads the end of the response, while we can still read (and drop)
    /// what it is sending (a lingering close, RFC 9112 9.6).
    func shutdownWrite() {
        _ = shutdown(fd, Platform.shutdownWrite)
    }

    func close() {
        _ = Platform.closeDescriptor(fd)
    }

    func setNonBlocking() throws(SocketError) {
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw SocketError(.fcntl) }
    }

    /// A process the host application starts must not inherit the listener or a client's
    /// connection: it would hold the connection open after the server closed it.
    func setCloseOnExec() throws(SocketError) {
        guard fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else { throw SocketError(.fcntl) }
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError(.setsockopt)
        }
    }
}
