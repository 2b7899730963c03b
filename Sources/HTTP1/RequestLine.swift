/// `method SP request-target SP HTTP-version` (RFC 9112 3), and the target's form (RFC 9112 3.2).
struct RequestLine {
    var method: String
    var target: String
    var path: String
    var query: String?
    var version: HTTPVersion
    /// The authority of an absolute-form target, which replaces Host (RFC 9112 3.2.2).
    var authority: String?

    static func parse(_ line: Slice<UnsafeRawBufferPointer>) -> Result<RequestLine, HTTPParseError> {
        // Exactly one SP between the parts (RFC 9112 3): no tabs, no runs of spaces.
        let parts = line.split(separator: ByteClass.space, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(ByteClass.isTokenChar),
              !parts[1].isEmpty, parts[1].allSatisfy(ByteClass.isTargetChar) else {
            return .failure(.invalidRequestLine)
        }
        let version: HTTPVersion
        switch parseVersion(Array(parts[2])) {
        case .failure(let error): return .failure(error)
        case .success(let parsed): version = parsed
        }
        let method = String(bytes: parts[0])
        // CONNECT asks for a tunnel (RFC 9110 9.3.6); this server is not a proxy.
        if method == "CONNECT" { return .failure(.connectNotSupported) }
        guard let form = TargetForm(String(bytes: parts[1]), method: method) else {
            return .failure(.invalidTarget)
        }
        return .success(RequestLine(
            method: method, target: form.target, path: form.path, query: form.query,
            version: version, authority: form.authority))
    }

    /// `HTTP-version = "HTTP" "/" DIGIT "." DIGIT` (RFC 9112 2.3); well-formed but not 1.0 or
    /// 1.1 is 505 (RFC 9110 15.6.6), anything else 400.
    private static func parseVersion(_ bytes: [UInt8]) -> Result<HTTPVersion, HTTPParseError> {
        guard bytes.count == 8, bytes.starts(with: Array("HTTP/".utf8)), bytes[6] == UInt8(ascii: "."),
              ByteClass.isDigit(bytes[5]), ByteClass.isDigit(bytes[7]) else {
            return .failure(.invalidRequestLine)
        }
        switch (bytes[5], bytes[7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .success(.http11)
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .success(.http10)
        default: return .failure(.unsupportedVersion)
        }
    }
}

/// The request-target split into path and query (RFC 9112 3.2).
struct TargetForm {
    var target: String
    var path: String
    var query: String?
    var authority: String?

    init?(_ target: String, method: String) {
        self.target = target
        // A target never carries a fragment (RFC 9112 3.2: origin-form is path ["?" query]).
        if target.contains("#") { return nil }
        if target == "*" {
            // RFC 9112 3.2.4: asterisk-form is only for a server-wide OPTIONS.
            guard method == "OPTIONS" else { return nil }
            path = "*"
            return
        }
        var pathAndQuery = Substring(target)
        if !target.hasPrefix("/") {
            // RFC 9112 3.2.2 absolute-form: "http" "://" authority path-abempty ["?" query].
            guard let colon = target.firstIndex(of: ":") else { return nil }
            let scheme = target[..<colon]
            guard scheme.equalsIgnoringASCIICase("http") || scheme.equalsIgnoringASCIICase("https"),
                  target[colon...].hasPrefix("://") else { return nil }
            let rest = target[target.index(colon, offsetBy: 3)...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            // RFC 9110 4.2.1: an http URI has a host; RFC 9110 4.2.4: userinfo is an error.
            guard !authority.isEmpty, !authority.contains("@") else { return nil }
            self.authority = String(authority)
            pathAndQuery = rest[authorityEnd...]
        }
        let queryStart = pathAndQuery.firstIndex(of: "?")
        let rawPath = pathAndQuery[..<(queryStart ?? pathAndQuery.endIndex)]
        // An absolute-form target with an empty path means "/" (RFC 9110 4.2.3).
        path = rawPath.isEmpty ? "/" : String(rawPath)
        query = queryStart.map { String(pathAndQuery[pathAndQuery.index(after: $0)...]) }
    }
}
