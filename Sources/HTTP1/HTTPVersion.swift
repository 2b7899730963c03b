/// The two protocol versions this server speaks (RFC 9112 2.3). Any other `HTTP/x.y` is
/// answered with 505.
public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http10
    case http11

    public var description: String {
        switch self {
        case .http10: "HTTP/1.0"
        case .http11: "HTTP/1.1"
        }
    }
}
