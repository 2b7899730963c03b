import Foundation
import HTTPServer
import Logging

extension GradCAMService {
    /// One structured line and one set of metrics per exchange, including the ones the
    /// parser refused before any route saw them. The fields go in the message, in logfmt
    /// (`key=value`, keys sorted), rather than in swift-log metadata: building, merging and
    /// sorting a metadata dictionary per request cost a tenth of GET /healthz in perf.
    public func record(_ exchange: ExchangeRecord) {
        metrics.recordRequest(method: exchange.method, path: exchange.path, status: exchange.status, duration: exchange.duration)
        guard logger.logLevel <= .info else { return }
        let (seconds, attoseconds) = exchange.duration.components
        let hundredths = (Double(seconds) * 1e5 + Double(attoseconds) / 1e13).rounded() / 100
        let client = ClientAddress.resolve(peer: exchange.peerAddress, forwardedFor: exchange.forwardedFor, trustedProxies: config.trustedProxies)
        logger.info("""
            request bytes_in=\(exchange.bytesIn) bytes_out=\(exchange.bytesOut) client=\(client) \
            duration_ms=\(hundredths) method=\(exchange.method) path=\(exchange.path) \
            request_id=\(exchange.requestID ?? "-") status=\(exchange.status)
            """)
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the nearest
/// X-Forwarded-For entry that is not itself a trusted proxy (read right to left, since only
/// the entries our proxies appended can be believed).
enum ClientAddress {
    static func resolve(peer: String, forwardedFor: String?, trustedProxies: [String]) -> String {
        let host = stripPort(peer)
        guard trustedProxies.contains(host), let forwardedFor else { return host }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trustedProxies.contains(hop) { return hop }
        return hops.first ?? host
    }

    /// "127.0.0.1:5000" -> "127.0.0.1", "[::1]:5000" -> "::1".
    static func stripPort(_ address: String) -> String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        if address.filter({ $0 == ":" }).count == 1, let colon = address.lastIndex(of: ":") { return String(address[..<colon]) }
        return address
    }
}
