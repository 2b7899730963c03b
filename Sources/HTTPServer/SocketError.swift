#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed socket call: which call, and errno turned into its message.
public struct SocketError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Call: String, Sendable {
        case socket, setsockopt, bind, listen, getsockname, accept, fcntl, read, send, addressParse
    }

    public var call: Call
    public var errno: Int32

    init(_ call: Call, errno: Int32 = Platform.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call.rawValue) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
