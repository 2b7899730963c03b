/// Finds CR LF-terminated lines in a growing buffer, remembering how far it has looked, so a
/// client that sends one byte at a time costs one look per byte (picohttpparser's `last_len`).
///
/// Lines must end in CR LF. RFC 9112 2.2 lets a recipient accept a bare LF as a line end, but a
/// server that does so while a proxy in front of it does not (or the reverse) sees a different
/// message than the proxy did: that disagreement is request smuggling. So a bare LF, or a CR
/// that is not followed by LF, is an error here.
struct LineScanner: Sendable, Hashable {
    enum Step {
        /// The next line's bytes, without its CR LF.
        case line(Range<Int>)
        case needMore
        case invalid(HTTPParseError)
    }

    private(set) var lineStart: Int
    private var position: Int

    init(startingAt offset: Int) {
        lineStart = offset
        position = offset
    }

    /// The first byte not yet consumed: just after the last line returned.
    var consumedUpTo: Int { lineStart }

    /// Bytes of the line being scanned that have arrived so far (for limits).
    var pendingLineLength: Int { position - lineStart }

    mutating func nextLine(in bytes: UnsafeRawBufferPointer) -> Step {
        while position < bytes.count {
            switch bytes[position] {
            case ByteClass.cr:
                guard position + 1 < bytes.count else { return .needMore }
                guard bytes[position + 1] == ByteClass.lf else { return .invalid(.bareCarriageReturn) }
                let line = lineStart..<position
                position += 2
                lineStart = position
                return .line(line)
            case ByteClass.lf:
                return .invalid(.bareLineFeed)
            default:
                position += 1
            }
        }
        return .needMore
    }
}
