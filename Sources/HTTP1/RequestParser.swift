/// Turns the bytes of one connection into requests, one at a time. A value-type state machine
/// with no I/O: the caller reads the socket and hands the bytes in.
///
/// Contract (picohttpparser's): pass the bytes received since the start of the current request,
/// the same bytes again plus whatever arrived since on every call. The parser remembers how far
/// it has looked (the end-of-head scan and the body state), so a client that dribbles bytes
/// costs no rescans. After `.complete(request, consumed:)`, drop `consumed` bytes: the rest
/// belongs to the next (pipelined) request, and the parser is already waiting for it.
public struct RequestParser: Sendable {
    public let limits: HTTPLimits
    private var state: State

    private enum State: Sendable {
        case head(HeadScanner)
        case fixedBody(RequestHead, bodyStart: Int, length: Int)
        case chunkedBody(RequestHead, ChunkedDecoder)
        /// Errors are final: the stream has no trustworthy next request after one.
        case failed(HTTPParseError)
    }

    public init(limits: HTTPLimits = .init()) {
        self.limits = limits
        self.state = .head(HeadScanner())
    }

    /// The head of the request being received, once it is parsed and while its body is not
    /// complete. The socket layer uses it to answer `Expect: 100-continue`.
    public var pendingHead: RequestHead? {
        switch state {
        case .fixedBody(let head, _, _), .chunkedBody(let head, _): head
        case .head, .failed: nil
        }
    }

    /// Forgets the request in progress (and a past error). Parsing a complete request resets
    /// the parser by itself; call this to start over on a fresh buffer.
    public mutating func reset() {
        state = .head(HeadScanner())
    }

    public mutating func parse(_ bytes: [UInt8]) -> ParseResult {
        bytes.withUnsafeBytes { parse($0) }
    }

    public mutating func parse(_ bytes: ArraySlice<UInt8>) -> ParseResult {
        bytes.withUnsafeBytes { parse($0) }
    }

    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> ParseResult {
        let result = step(bytes)
        switch result {
        case .complete: state = .head(HeadScanner())
        case .invalid(let error): state = .failed(error)
        case .incomplete: break
        }
        return result
    }

    private mutating func step(_ bytes: UnsafeRawBufferPointer) -> ParseResult {
        if case .head(var scanner) = state {
            switch scanner.scan(bytes, limits: limits) {
            case .needMore:
                state = .head(scanner)
                return .incomplete
            case .invalid(let error):
                return .invalid(error)
            case .found(let lines, let headEnd):
                switch HeadParser.parse(bytes, lines: lines, limits: limits) {
                case .failure(let error): return .invalid(error)
                case .success(let head): startBody(of: head, at: headEnd)
                }
            }
        }
        switch state {
        case .head:
            return .incomplete
        case .failed(let error):
            return .invalid(error)
        case .fixedBody(let head, let bodyStart, let length):
            let end = bodyStart + length
            guard bytes.count >= end else { return .incomplete }
            let request = HTTPRequest(head: head, body: Array(bytes[bodyStart..<end]))
            return .complete(request, consumed: end)
        case .chunkedBody(let head, var decoder):
            switch decoder.decode(bytes, limits: limits) {
            case .needMore:
                state = .chunkedBody(head, decoder)
                return .incomplete
            case .invalid(let error):
                return .invalid(error)
            case .done(let consumed):
                return .complete(HTTPRequest(head: head, body: decoder.body), consumed: consumed)
            }
        }
    }

    private mutating func startBody(of head: RequestHead, at bodyStart: Int) {
        switch head.framing {
        case .length(let length):
            // RFC 9110 15.5.14: refuse an over-long body as soon as it is declared.
            state = length > limits.maxBodyBytes
                ? .failed(.payloadTooLarge(limit: limits.maxBodyBytes))
                : .fixedBody(head, bodyStart: bodyStart, length: length)
        case .chunked:
            state = .chunkedBody(head, ChunkedDecoder(startingAt: bodyStart))
        }
    }
}
