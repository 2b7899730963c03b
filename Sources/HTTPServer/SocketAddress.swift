#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 socket address, from a numeric host literal ("127.0.0.1", "::1", "0.0.0.0",
/// "::"). Names are not resolved: a server binds an address, and DNS has no place here.
enum SocketAddress {
    case ipv4(sockaddr_in)
    case ipv6(sockaddr_in6)

    init(host: String, port: Int) throws(SocketError) {
        guard (0...65535).contains(port) else { throw SocketError(.addressParse, errno: EINVAL) }
        let networkPort = in_port_t(UInt16(port).bigEndian)
        var v4 = sockaddr_in()
        if inet_pton(Platform.ipv4, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(Platform.ipv4)
            v4.sin_port = networkPort
            self = .ipv4(v4)
            return
        }
        var v6 = sockaddr_in6()
        // Accept "[::1]" as well as "::1".
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard inet_pton(Platform.ipv6, literal, &v6.sin6_addr) == 1 else {
            throw SocketError(.addressParse, errno: EINVAL)
        }
        v6.sin6_family = sa_family_t(Platform.ipv6)
        v6.sin6_port = networkPort
        self = .ipv6(v6)
    }

    var family: Int32 {
        switch self {
        case .ipv4: Platform.ipv4
        case .ipv6: Platform.ipv6
        }
    }

    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch self {
        case .ipv4(var address):
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6(var address):
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    private static func text(of cString: [CChar]) -> String {
        String(decoding: cString.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "127.0.0.1:8080" or "[::1]:8080", from what accept() or getsockname() filled in.
    static func describe(_ storage: sockaddr_storage) -> (text: String, port: Int) {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer in
            if family == Platform.ipv6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var address = v6.pointee.sin6_addr
                    inet_ntop(Platform.ipv6, &address, &buffer, socklen_t(buffer.count))
                    let port = Int(UInt16(bigEndian: v6.pointee.sin6_port))
                    return ("[\(text(of: buffer))]:\(port)", port)
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var address = v4.pointee.sin_addr
                inet_ntop(Platform.ipv4, &address, &buffer, socklen_t(buffer.count))
                let port = Int(UInt16(bigEndian: v4.pointee.sin_port))
                return ("\(text(of: buffer)):\(port)", port)
            }
        }
    }
}
