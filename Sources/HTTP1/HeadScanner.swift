/// Finds the end of a request head (the empty line) and the line boundaries within it,
/// enforcing the size limits while bytes are still arriving, so an over-long request line or
/// header section is refused without waiting for its end.
struct HeadScanner: Sendable {
    enum Outcome {
        case needMore
        case invalid(HTTPParseError)
        /// `lines[0]` is the request line, the rest are field lines; the body starts at `headEnd`.
        case found(lines: [Range<Int>], headEnd: Int)
    }

    private var scanner = LineScanner(startingAt: 0)
    private var lines: [Range<Int>] = []

    mutating func scan(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits) -> Outcome {
        while true {
            switch scanner.nextLine(in: bytes) {
            case .invalid(let error):
                return .invalid(error)
            case .needMore:
                return pendingLimitsExceeded(limits) ?? .needMore
            case .line(let line) where lines.isEmpty:
                // RFC 9112 2.2: ignore empty lines received before the request line; they count
                // toward the request line's budget, so an endless stream of them still ends.
                guard line.upperBound <= limits.maxRequestLineBytes else { return .invalid(.requestLineTooLong) }
                if !line.isEmpty { lines.append(line) }
            case .line(let line):
                guard headerSectionBytes <= limits.maxHeaderBytes else { return .invalid(.headerFieldsTooLarge) }
                if line.isEmpty { return .found(lines: lines, headEnd: scanner.consumedUpTo) }
                guard lines.count <= limits.maxHeaderCount else { return .invalid(.headerFieldsTooLarge) }
                lines.append(line)
            }
        }
    }

    /// Bytes of the header section consumed so far: field lines and their CR LFs.
    private var headerSectionBytes: Int {
        guard let requestLine = lines.first else { return 0 }
        return scanner.consumedUpTo - (requestLine.upperBound + 2)
    }

    private func pendingLimitsExceeded(_ limits: HTTPLimits) -> Outcome? {
        if lines.isEmpty {
            // RFC 9112 3: a request-target longer than the server wishes to parse gets 414.
            return scanner.pendingLineLength > limits.maxRequestLineBytes ? .invalid(.requestLineTooLong) : nil
        }
        let pending = headerSectionBytes + scanner.pendingLineLength
        return pending > limits.maxHeaderBytes ? .invalid(.headerFieldsTooLarge) : nil
    }
}
