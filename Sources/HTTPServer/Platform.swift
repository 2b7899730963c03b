#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every platform difference of the socket calls, in one place.
enum Platform {
    #if canImport(Glibc)
    static let streamSocket = Int32(SOCK_STREAM.rawValue)
    /// Send without raising SIGPIPE when the peer has gone (returns EPIPE instead).
    static let sendFlags = Int32(MSG_NOSIGNAL)
    static let shutdownWrite = Int32(SHUT_WR)
    #else
    static let streamSocket = SOCK_STREAM
    static let sendFlags: Int32 = 0 // Darwin uses SO_NOSIGPIPE per socket instead.
    static let shutdownWrite = SHUT_WR
    #endif
    static let ipv4 = AF_INET
    static let ipv6 = AF_INET6
    static let tcpNoDelay = Int32(TCP_NODELAY)
    static let tcpProtocol = Int32(IPPROTO_TCP)

    static var errno: Int32 {
        #if canImport(Glibc)
        Glibc.errno
        #else
        Darwin.errno
        #endif
    }

    /// EAGAIN and EWOULDBLOCK: a non-blocking call had nothing to do yet.
    static func wouldBlock(_ code: Int32) -> Bool { code == EAGAIN || code == EWOULDBLOCK }

    /// Ignores SIGPIPE process-wide, as a second guard behind `sendFlags`: a write to a closed
    /// peer must be an error code, never a signal that kills the process.
    static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    #if canImport(Glibc)
    static let systemAccept = Glibc.accept
    static let systemRead = Glibc.read
    static let systemSend = Glibc.send
    #else
    static let systemAccept = Darwin.accept
    static let systemRead = Darwin.read
    static let systemSend = Darwin.send
    #endif

    static func closeDescriptor(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
    }
}
