import Dispatch
import HTTP1

/// What every connection shares with the server that accepted it.
struct ConnectionEnvironment: Sendable {
    let configuration: ServerConfiguration
    let responder: any HTTPResponder
    let onExchange: (@Sendable (ExchangeRecord) -> Void)?
    let isStopping: @Sendable () -> Bool
    let onClosed: @Sendable (ObjectIdentifier) -> Void
}

/// One accepted TCP connection: its socket, its parser and its buffers.
///
/// Threading: every mutable property is touched only on `queue`, a serial queue of its own.
/// The read source, write source and timer deliver their events on that queue; replies from
/// the responder are sent to it with `queue.async`. That confinement is why the class can be
/// `@unchecked Sendable`. The socket is non-blocking, so no handler ever waits on it.
///
/// Ordering: one request at a time goes to the responder. The next (pipelined) request is
/// parsed only after the reply to the previous one is written, so replies leave in request
/// order without a reorder buffer, and a client cannot queue unbounded work: this server's
/// requests are CNN jobs, and pipelining them would gain nothing but memory.
final class Connection: @unchecked Sendable {
    enum Phase {
        /// Keep-alive and waiting: no byte of the next request yet.
        case awaitingRequest
        case readingHead
        case readingBody
        /// The request is with the responder, or its reply is being written.
        case responding
        /// The final response is written and FIN sent; unread input is dropped until the peer
        /// closes or the linger time ends.
        case lingering
        case closed
    }

    let socket: Socket
    let peerAddress: String
    let queue: DispatchQueue
    let environment: ConnectionEnvironment
    let liveness = PeerLiveness()

    var phase = Phase.awaitingRequest
    var parser: RequestParser
    /// Received bytes; the current request starts at `inboundStart`.
    var inbound: [UInt8] = []
    var inboundStart = 0
    var outbound: [UInt8] = []
    var outboundOffset = 0
    var exchange: PendingExchange?
    /// Numbers the requests handed out, so a stale or repeated reply is recognised and ignored.
    var sequence = 0
    /// The peer sent FIN (or the connection failed): after the current reply, close.
    var peerFinished = false
    var lingerDrained = 0
    var isProcessingInbound = false

    var readSource: DispatchSourceRead?
    var readSuspended = false
    var writeSource: DispatchSourceWrite?
    var writeSourceActive = false
    var timer: DispatchSourceTimer?
    var deadline: (kind: Deadline, at: DispatchTime)?
    /// When the timer is set to fire; nil when it is not set.
    var timerFiresAt: DispatchTime?
    /// Sources on the descriptor whose cancel handler has not run yet; the descriptor is closed
    /// when this reaches 0, never before (a source must not outlive its descriptor).
    var liveDescriptorSources = 0

    /// Bytes kept from a client that pipelines while its previous request is in progress;
    /// beyond this, reading pauses until the reply is written.
    var pipelineBufferLimit: Int {
        environment.configuration.limits.maxRequestLineBytes + environment.configuration.limits.maxHeaderBytes
    }

    init(socket: Socket, peerAddress: String, environment: ConnectionEnvironment) {
        self.socket = socket
        self.peerAddress = peerAddress
        self.environment = environment
        self.parser = RequestParser(limits: environment.configuration.limits)
        self.queue = DispatchQueue(label: "HTTPServer.connection", target: .global())
        queue.setSpecific(key: Self.queueKey, value: ObjectIdentifier(self))
    }

    /// Marks each connection's queue, so a reply can tell it is already running there.
    static let queueKey = DispatchSpecificKey<ObjectIdentifier>()

    var isOnQueue: Bool { DispatchQueue.getSpecific(key: Self.queueKey) == ObjectIdentifier(self) }

    /// Starts serving; with `refusal`, the connection gets only that response and then closes
    /// as after any final response (lingering, RFC 9112 9.6).
    func start(refusingWith refusal: HTTPResponse? = nil) {
        queue.async { [self] in
            let read = DispatchSource.makeReadSource(fileDescriptor: socket.fd, queue: queue)
            read.setEventHandler { [self] in handleReadable() }
            read.setCancelHandler { [self] in descriptorSourceCancelled() }
            let write = DispatchSource.makeWriteSource(fileDescriptor: socket.fd, queue: queue)
            write.setEventHandler { [self] in flush() }
            write.setCancelHandler { [self] in descriptorSourceCancelled() }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.setEventHandler { [self] in deadlineFired() }
            readSource = read
            writeSource = write
            self.timer = timer
            liveDescriptorSources = 2
            timer.resume()
            read.resume()
            if let refusal { return refuse(with: refusal) }
            // A new connection must send its first head within the header timeout.
            arm(.header)
        }
    }

    /// Graceful shutdown: an idle keep-alive connection closes now; one with a request in
    /// progress finishes it and closes after the reply (see `deliver`).
    func stopIfIdle() {
        queue.async { [self] in
            if phase == .awaitingRequest { close() }
        }
    }

    func forceClose() {
        queue.async { [self] in close() }
    }

    private func handleReadable() {
        guard phase != .closed else { return }
        let peerGone = readAvailable()
        if phase == .lingering {
            if peerGone { close() }
            return
        }
        // Parse what arrived before reacting to FIN: a client may send a request and close
        // its sending side at once, and still wait for the answer.
        processInbound()
        if peerGone {
            peerFinished = true
            liveness.markGone()
            stopReading()
            if phase != .responding { close() }
        } else if phase == .responding, inbound.count - inboundStart > pipelineBufferLimit {
            suspendReading()
        }
    }

    /// Reads until the socket has nothing more (bounded, for fairness between connections).
    /// Returns whether the peer closed or the connection failed.
    private func readAvailable() -> Bool {
        withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 1) { scratch in
            for _ in 0..<16 {
                switch socket.read(into: scratch) {
                case .bytes(let count):
                    if phase == .lingering {
                        lingerDrained += count
                        if lingerDrained > 1 << 20 { return true }
                    } else {
                        inbound.append(contentsOf: scratch[..<count])
                    }
                    // A short read drained the socket; the source fires again if more comes.
                    if count < scratch.count { return false }
                case .wouldBlock: return false
                case .endOfStream, .failed: return true
                }
            }
            return false
        }
    }

    /// Runs the parser over the bytes received, while no request is with the responder.
    /// Not re-entered: a reply given synchronously finishes its exchange inside `dispatch`, and
    /// this loop then goes on with the next pipelined request instead of recursing.
    func processInbound() {
        guard !isProcessingInbound else { return }
        isProcessingInbound = true
        defer { isProcessingInbound = false }
        while phase == .awaitingRequest || phase == .readingHead || phase == .readingBody {
            guard inboundStart < inbound.count else { return }
            if phase == .awaitingRequest {
                phase = .readingHead
                arm(.header)
            }
            let result = inbound.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[inboundStart...])) }
            switch result {
            case .incomplete:
                if phase == .readingHead, let head = parser.pendingHead {
                    phase = .readingBody
                    arm(.body)
                    // RFC 9110 10.1.1: the client waits for 100 before sending the body.
                    if head.expectsContinue && head.version == .http11 { enqueue(HTTPResponse.continueBytes) }
                }
                return
            case .complete(let request, let consumed):
                inboundStart += consumed
                compactInbound()
                dispatch(request, bytesIn: consumed)
            case .invalid(let error):
                respond(toParseError: error, bytesIn: inbound.count - inboundStart)
            }
        }
    }

    private func compactInbound() {
        if inboundStart == inbound.count {
            inbound.removeAll(keepingCapacity: inbound.capacity <= 256 * 1024)
            inboundStart = 0
        } else if inboundStart > 64 * 1024 {
            inbound.removeFirst(inboundStart)
            inboundStart = 0
        }
    }

    func suspendReading() {
        guard let readSource, !readSuspended else { return }
        readSource.suspend()
        readSuspended = true
    }

    func resumeReading() {
        guard let readSource, readSuspended else { return }
        readSource.resume()
        readSuspended = false
    }

    /// Stops read events for good (after FIN, a readable socket would fire forever).
    private func stopReading() {
        resumeReading()
        readSource?.cancel()
        readSource = nil
    }

    /// Closes the connection, once: cancels the sources; the last cancel handler closes the fd.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        liveness.markGone()
        timer?.cancel()
        timer = nil
        stopReading()
        if let writeSource {
            if !writeSourceActive { writeSource.resume() }
            writeSource.cancel()
        }
        writeSource = nil
        inbound = []
        outbound = []
    }

    private func descriptorSourceCancelled() {
        liveDescriptorSources -= 1
        guard liveDescriptorSources == 0 else { return }
        socket.close()
        environment.onClosed(ObjectIdentifier(self))
    }
}
