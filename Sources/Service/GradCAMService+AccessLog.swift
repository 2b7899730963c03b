import Foundation
import HTTPServer
import Logging

extension GradCAMService {
    /// One structured line and one set of metrics per exchange, including the ones the
    /// parser refused before any route saw them.
    public func record(_ exchange: ExchangeRecord) {
        let milliseconds = Double(exchange.duration.components.attoseconds) / 1e15 + Double(exchange.duration.components.seconds) * 1000
        metrics.recordRequest(method: exchange.method, path: exchange.path, status: exchange.status, duration: exchange.duration)
        logger.info("request", metadata: [
            "method": "\(exchange.method)",
            "path": "\(exchange.path)",
            "status": "\(exchange.status)",
            "bytes_in": "\(exchange.bytesIn)",
            "bytes_out": "\(exchange.bytesOut)",
            "duration_ms": "\((milliseconds * 100).rounded() / 100)",
            "request_id": "\(exchange.requestID ?? "-")",
            "client": "\(ClientAddress.resolve(peer: exchange.peerAddress, forwardedFor: exchange.forwardedFor, trustedProxies: config.trustedProxies))",
        ])
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
