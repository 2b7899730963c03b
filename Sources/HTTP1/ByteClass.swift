/// Character classes of the HTTP grammar (RFC 9110 5.6, RFC 9112 2.2), as byte tests.
enum ByteClass {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|"
    ///       / "~" / DIGIT / ALPHA   (RFC 9110 5.6.2)
    static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// field-value characters: VCHAR, obs-text, SP, HTAB (RFC 9110 5.5). CTLs, NUL among them,
    /// are refused: RFC 9110 5.5 lets a recipient reject them, and they confuse other parsers.
    static func isFieldValueChar(_ byte: UInt8) -> Bool {
        byte >= 0x21 && byte != 0x7F || byte == space || byte == tab
    }

    /// Characters a request-target may hold: visible ASCII (RFC 3986 is ASCII only).
    static func isTargetChar(_ byte: UInt8) -> Bool { (0x21...0x7E).contains(byte) }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}

extension String {
    /// Builds a string from bytes that the grammar already limited to ASCII or obs-text.
    init(bytes: some Collection<UInt8>) {
        self.init(decoding: bytes, as: UTF8.self)
    }
}
