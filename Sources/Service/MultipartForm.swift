import Foundation

/// A multipart/form-data body (RFC 7578, framing from RFC 2046 5.1): what `curl -F image=@cat.jpg`
/// and an HTML form with a file input send. Pure: bytes in, parts out.
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        public let name: String
        public let filename: String?
        public let contentType: String?
        public let body: ArraySlice<UInt8>

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public let parts: [Part]

    public func part(named name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary parameter of a multipart/form-data Content-Type, unquoted.
    public static func boundary(fromContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            // RFC 2046 5.1.1: 1 to 70 characters.
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    public struct Malformed: Error, Sendable { public let reason: String }

    public init(body: [UInt8], boundary: String) throws(Malformed) {
        let delimiter = Array(("--" + boundary).utf8)
        var parts = [Part]()
        guard var cursor = MultipartForm.find(delimiter, in: body, from: 0) else { throw Malformed(reason: "no boundary line") }
        cursor += delimiter.count
        while true {
            // After a delimiter: "--" ends the body; otherwise optional whitespace and CRLF start a part.
            if body.count >= cursor + 2, body[cursor] == 0x2D, body[cursor + 1] == 0x2D { break }
            while cursor < body.count, body[cursor] == 0x20 || body[cursor] == 0x09 { cursor += 1 }
            guard body.count >= cursor + 2, body[cursor] == 0x0D, body[cursor + 1] == 0x0A else { throw Malformed(reason: "bad boundary line") }
            cursor += 2
            guard let headerEnd = MultipartForm.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: cursor) else { throw Malformed(reason: "part headers do not end") }
            let headers = MultipartForm.headers(body[cursor..<headerEnd])
            let contentStart = headerEnd + 4
            guard let next = MultipartForm.find([0x0D, 0x0A] + delimiter, in: body, from: contentStart) else { throw Malformed(reason: "the closing boundary is missing") }
            guard let disposition = headers["content-disposition"],
                  let name = MultipartForm.parameter("name", in: disposition) else { throw Malformed(reason: "a part has no Content-Disposition name") }
            parts.append(Part(name: name, filename: MultipartForm.parameter("filename", in: disposition),
                              contentType: headers["content-type"], body: body[contentStart..<next]))
            cursor = next + 2 + delimiter.count
            guard parts.count <= 64 else { throw Malformed(reason: "too many parts") }
        }
        self.parts = parts
    }

    private static func headers(_ bytes: ArraySlice<UInt8>) -> [String: String] {
        var result = [String: String]()
        for line in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    /// A parameter of a header value: `form-data; name="image"; filename="cat.jpg"`.
    static func parameter(_ key: String, in value: String) -> String? {
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var v = pair[1]
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            return v
        }
        return nil
    }

    /// First index of `needle` at or after `start` (a plain scan: bodies are a few MB at most).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
