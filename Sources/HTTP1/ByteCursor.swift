/// Walks a byte slice for the small grammars inside a line (chunk extensions).
struct ByteCursor {
    private let bytes: Slice<UnsafeRawBufferPointer>
    private var index: Int

    init(_ bytes: Slice<UnsafeRawBufferPointer>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var isAtEnd: Bool { index >= bytes.endIndex }

    mutating func skipWhitespace() {
        while !isAtEnd, ByteClass.isWhitespace(bytes[index]) { index += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard !isAtEnd, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// `token = 1*tchar` (RFC 9110 5.6.2).
    mutating func takeToken() -> Bool {
        let start = index
        while !isAtEnd, ByteClass.isTokenChar(bytes[index]) { index += 1 }
        return index > start
    }

    /// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE` (RFC 9110 5.6.4).
    mutating func takeQuotedString() -> Bool {
        guard take(ByteClass.quote) else { return false }
        while !isAtEnd {
            let byte = bytes[index]
            index += 1
            switch byte {
            case ByteClass.quote: return true
            case ByteClass.backslash:
                guard !isAtEnd, ByteClass.isFieldValueChar(bytes[index]) else { return false }
                index += 1
            default:
                guard ByteClass.isFieldValueChar(byte) else { return false }
            }
        }
        return false
    }
}
