extension HTTPRequest {
    /// The query as `application/x-www-form-urlencoded` pairs (WHATWG URL 5.1): split on '&',
    /// then on the first '='; '+' means space; %XX is decoded, and a '%' not followed by two hex
    /// digits stays as it is. Bytes that are not UTF-8 become U+FFFD.
    public func queryItems() -> [(name: String, value: String)] {
        guard let query else { return [] }
        return query.split(separator: "&").map { pair in
            let equals = pair.firstIndex(of: "=")
            let name = pair[..<(equals ?? pair.endIndex)]
            let value = equals.map { pair[pair.index(after: $0)...] } ?? ""
            return (FormDecoding.decode(name), FormDecoding.decode(value))
        }
    }
}

enum FormDecoding {
    static func decode(_ text: Substring) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(ByteClass.space)
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                      let high = ByteClass.hexValue(bytes[index + 1]), let low = ByteClass.hexValue(bytes[index + 2]) {
                out.append(UInt8(high * 16 + low))
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
