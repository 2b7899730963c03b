/// Decides how long a request body is from its header fields (RFC 9112 6), refusing every
/// combination that two implementations could read differently (request smuggling,
/// RFC 9112 11.2).
enum BodyFramingRules {
    static func framing(of headers: HTTPHeaders, version: HTTPVersion) -> Result<BodyFraming, HTTPParseError> {
        let transferEncodings = headers.values(named: "Transfer-Encoding")
        let contentLengths = headers.values(named: "Content-Length")
        if !transferEncodings.isEmpty {
            // RFC 9112 6.1: HTTP/1.0 has no Transfer-Encoding; its framing is faulty.
            guard version == .http11 else { return .failure(.transferEncodingInHTTP10) }
            // RFC 9112 6.1, 6.3 item 3: Content-Length with Transfer-Encoding is a smuggling
            // attempt; reject and close.
            guard contentLengths.isEmpty else { return .failure(.contentLengthWithTransferEncoding) }
            return chunkedFraming(codings: headers.listElements(named: "Transfer-Encoding"))
        }
        if contentLengths.isEmpty {
            // RFC 9112 6.3 item 7: a request with neither has no body.
            return .success(.length(0))
        }
        return contentLength(contentLengths).map { .length($0) }
    }

    /// RFC 9112 6.3 item 4: if chunked is not the final coding of a request, its length cannot
    /// be known: 400 and close. RFC 9112 7: chunked is applied at most once. Other codings before
    /// chunked are understood by no one here: 501 (RFC 9112 6.1).
    private static func chunkedFraming(codings: [Substring]) -> Result<BodyFraming, HTTPParseError> {
        guard let last = codings.last, last.equalsIgnoringASCIICase("chunked") else {
            return .failure(.chunkedNotFinal)
        }
        let others = codings.dropLast()
        if others.contains(where: { $0.equalsIgnoringASCIICase("chunked") }) {
            return .failure(.chunkedNotFinal)
        }
        return others.isEmpty ? .success(.chunked) : .failure(.unsupportedTransferCoding)
    }

    /// `Content-Length = 1*DIGIT` (RFC 9110 8.6). Several lines or a comma list are accepted only
    /// when every value is the same (RFC 9112 6.3 item 5); otherwise 400.
    private static func contentLength(_ fieldValues: [String]) -> Result<Int, HTTPParseError> {
        var length: Int?
        for fieldValue in fieldValues {
            let elements = fieldValue.split(separator: ",", omittingEmptySubsequences: false)
            for element in elements {
                guard let value = decimal(element.trimmingOWS()), length == nil || length == value else {
                    return .failure(.invalidContentLength)
                }
                length = value
            }
        }
        return length.map { .success($0) } ?? .failure(.invalidContentLength)
    }

    /// A non-empty run of ASCII digits as an Int; nil on anything else or on overflow.
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard ByteClass.isDigit(byte) else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }
}
