/// The one place that renders error bodies, in the shape the API documents:
/// `{"error":{"code":"payload_too_large","message":"..."}}`.
public enum ErrorBody {
    public static func render(code: String, message: String) -> [UInt8] {
        Array("{\"error\":{\"code\":\(jsonString(code)),\"message\":\(jsonString(message))}}".utf8)
    }

    /// An error response: status, the JSON body, `Content-Type: application/json`, and any
    /// extra fields (e.g. `Retry-After`, `Allow`).
    public static func response(
        status: HTTPStatus, code: String, message: String, extraHeaders: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        for field in extraHeaders { headers.add(name: field.name, value: field.value) }
        return HTTPResponse(status: status, headers: headers, body: render(code: code, message: message))
    }

    /// The response for a parse error.
    public static func response(for error: HTTPParseError) -> HTTPResponse {
        response(status: error.status, code: error.code, message: error.message)
    }

    /// A JSON string literal (RFC 8259 7): quote, backslash and control characters escaped.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
