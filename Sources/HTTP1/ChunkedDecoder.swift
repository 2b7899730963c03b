/// Decodes a chunked body (RFC 9112 7.1) from a growing buffer, keeping its place between calls:
///
///     chunked-body = *chunk last-chunk trailer-section CRLF
///     chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
///
/// Every line must end in CR LF exactly; a bare CR or LF is refused (see `LineScanner`).
struct ChunkedDecoder: Sendable {
    enum Outcome {
        case needMore
        case invalid(HTTPParseError)
        /// The body ended; the request took the first `consumed` bytes of the buffer.
        case done(consumed: Int)
    }

    private enum Phase: Sendable {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        /// After the last chunk: field lines until the empty line.
        case trailers(bytes: Int, count: Int)
    }

    private(set) var body: [UInt8] = []
    private var phase = Phase.sizeLine
    private var lines: LineScanner

    init(startingAt offset: Int) {
        lines = LineScanner(startingAt: offset)
    }

    mutating func decode(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits) -> Outcome {
        while true {
            switch phase {
            case .sizeLine:
                switch lines.nextLine(in: bytes) {
                case .invalid(let error): return .invalid(error)
                case .needMore:
                    return lines.pendingLineLength > limits.maxChunkLineBytes ? .invalid(.invalidChunk) : .needMore
                case .line(let line):
                    guard line.count <= limits.maxChunkLineBytes, let size = ChunkLine.size(bytes[line]) else {
                        return .invalid(.invalidChunk)
                    }
                    guard size <= limits.maxBodyBytes - body.count else {
                        return .invalid(.payloadTooLarge(limit: limits.maxBodyBytes))
                    }
                    phase = size == 0 ? .trailers(bytes: 0, count: 0) : .data(remaining: size)
                }
            case .data(let remaining):
                let start = lines.consumedUpTo
                let available = min(remaining, bytes.count - start)
                body.append(contentsOf: bytes[start..<(start + available)])
                lines = LineScanner(startingAt: start + available)
                guard available == remaining else {
                    phase = .data(remaining: remaining - available)
                    return .needMore
                }
                phase = .dataEnd
            case .dataEnd:
                // chunk-data is followed by CRLF and nothing else.
                switch lines.nextLine(in: bytes) {
                case .invalid(let error): return .invalid(error)
                case .needMore:
                    return lines.pendingLineLength > 0 ? .invalid(.invalidChunk) : .needMore
                case .line(let line):
                    guard line.isEmpty else { return .invalid(.invalidChunk) }
                    phase = .sizeLine
                }
            case .trailers(let trailerBytes, let count):
                // RFC 9112 7.1.2: trailer fields are parsed and, here, discarded; the header
                // limits apply to them as well.
                switch lines.nextLine(in: bytes) {
                case .invalid(let error): return .invalid(error)
                case .needMore:
                    return trailerBytes + lines.pendingLineLength > limits.maxHeaderBytes
                        ? .invalid(.headerFieldsTooLarge) : .needMore
                case .line(let line) where line.isEmpty:
                    return .done(consumed: lines.consumedUpTo)
                case .line(let line):
                    let total = trailerBytes + line.count + 2
                    guard total <= limits.maxHeaderBytes, count < limits.maxHeaderCount else {
                        return .invalid(.headerFieldsTooLarge)
                    }
                    if case .failure(let error) = FieldLine.parse(bytes[line]) { return .invalid(error) }
                    phase = .trailers(bytes: total, count: count + 1)
                }
            }
        }
    }
}

/// `chunk-size [ chunk-ext ]` (RFC 9112 7.1, 7.1.1).
enum ChunkLine {
    /// The chunk size, or nil when the line is malformed or the size overflows an Int.
    /// Extensions are checked for syntax and ignored (RFC 9112 7.1.1: a recipient must ignore
    /// extensions it does not understand).
    static func size(_ line: Slice<UnsafeRawBufferPointer>) -> Int? {
        var index = line.startIndex
        var size = 0
        while index < line.endIndex, let digit = ByteClass.hexValue(line[index]) {
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow else { return nil }
            size = shifted + digit
            index += 1
        }
        guard index > line.startIndex, extensionsAreValid(line[index...]) else { return nil }
        return size
    }

    /// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`,
    /// `chunk-ext-val = token / quoted-string`.
    private static func extensionsAreValid(_ text: Slice<UnsafeRawBufferPointer>) -> Bool {
        var cursor = ByteCursor(text)
        while !cursor.isAtEnd {
            cursor.skipWhitespace()
            guard cursor.take(ByteClass.semicolon) else { return false }
            cursor.skipWhitespace()
            guard cursor.takeToken() else { return false }
            cursor.skipWhitespace()
            if cursor.take(ByteClass.equals) {
                cursor.skipWhitespace()
                guard cursor.takeToken() || cursor.takeQuotedString() else { return false }
            }
        }
        return true
    }
}
