import Dispatch
import HTTP1

/// The request being answered, for the reply and the exchange record.
struct PendingExchange {
    var sequence: Int
    var method: String
    var path: String
    var bytesIn: Int
    var receivedAt: ContinuousClock.Instant
    var keepAlive: Bool
    var requestID: String?
    var forwardedFor: String? = nil
    var status = 0
    var bytesOut = 0
    var replied = false
}

extension Connection {
    /// Hands a complete request to the responder; its reply comes back through `deliver`.
    func dispatch(_ request: HTTPRequest, bytesIn: Int) {
        var exchange = beginExchange(method: request.method, path: request.path, bytesIn: bytesIn,
                                     keepAlive: request.keepAlive, requestID: request.headers["X-Request-ID"])
        exchange.forwardedFor = request.headers["X-Forwarded-For"]
        self.exchange = exchange
        let context = RequestContext(
            peerAddress: peerAddress,
            isClientConnected: { [liveness] in liveness.isConnected },
            receivedAt: exchange.receivedAt)
        let sequence = exchange.sequence
        environment.responder.respond(to: request, context: context) { [self] response in
            // A reply given synchronously is already on this queue: skip the hop (a thread
            // wake-up per request). Any other thread goes through the queue.
            if isOnQueue {
                deliver(response, sequence: sequence)
            } else {
                queue.async { [self] in deliver(response, sequence: sequence) }
            }
        }
    }

    /// Every parse error ends the connection: the parser cannot say where the next request
    /// would start, and for 413 the body was never read.
    func respond(toParseError error: HTTPParseError, bytesIn: Int) {
        let exchange = beginExchange(method: "-", path: "-", bytesIn: bytesIn, keepAlive: false, requestID: nil)
        deliver(ErrorBody.response(for: error), sequence: exchange.sequence)
    }

    /// A refused connection's only response, sent before any request is read.
    func refuse(with response: HTTPResponse) {
        let exchange = beginExchange(method: "-", path: "-", bytesIn: 0, keepAlive: false, requestID: nil)
        deliver(response, sequence: exchange.sequence)
    }

    private func beginExchange(method: String, path: String, bytesIn: Int, keepAlive: Bool, requestID: String?) -> PendingExchange {
        sequence += 1
        phase = .responding
        disarm()
        let exchange = PendingExchange(
            sequence: sequence, method: method, path: path, bytesIn: bytesIn,
            receivedAt: .now, keepAlive: keepAlive, requestID: requestID)
        self.exchange = exchange
        return exchange
    }

    /// Writes the reply to the request numbered `sequence`; a second reply, or one arriving
    /// after the connection closed, is ignored.
    func deliver(_ response: HTTPResponse, sequence: Int) {
        guard phase == .responding, var exchange, exchange.sequence == sequence, !exchange.replied else { return }
        exchange.replied = true
        // During shutdown, or once the peer sent FIN, this is the connection's last response.
        exchange.keepAlive = exchange.keepAlive && !peerFinished && !environment.isStopping()
        exchange.status = response.status.code
        exchange.requestID = response.headers["X-Request-ID"] ?? exchange.requestID
        let bytes = response.serialized(keepAlive: exchange.keepAlive, headRequest: exchange.method == "HEAD")
        exchange.bytesOut = bytes.count
        self.exchange = exchange
        if let writeTimeout = environment.configuration.writeTimeout { arm(.write, after: writeTimeout) }
        enqueue(bytes)
    }

    /// The reply is written: report it, then serve the next request or close.
    func finishExchange() {
        guard let exchange else { return }
        self.exchange = nil
        environment.onExchange?(ExchangeRecord(
            method: exchange.method, path: exchange.path, status: exchange.status,
            bytesIn: exchange.bytesIn, bytesOut: exchange.bytesOut,
            duration: exchange.receivedAt.duration(to: .now),
            peerAddress: peerAddress, requestID: exchange.requestID, forwardedFor: exchange.forwardedFor))
        guard exchange.keepAlive else { return startLingering() }
        phase = .awaitingRequest
        arm(.idle)
        resumeReading()
        // Pipelined bytes may already hold the next request.
        processInbound()
    }

    /// RFC 9112 9.6: close the sending side first and keep reading for a while, so a client
    /// still sending (say, a body refused with 413) reads our response instead of a reset.
    private func startLingering() {
        phase = .lingering
        socket.shutdownWrite()
        guard readSource != nil, !peerFinished else { return close() }
        inbound = []
        inboundStart = 0
        resumeReading()
        arm(.linger)
    }
}
