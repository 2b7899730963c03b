import HTTP1

/// Cross-origin access for web pages (Fetch standard, CORS protocol), for the configured origins.
struct CORSPolicy: Sendable {
    let allowedOrigins: [String]

    func allows(_ origin: String) -> Bool { allowedOrigins.contains("*") || allowedOrigins.contains(origin) }

    /// Adds the response headers of an actual (non-preflight) request from an allowed origin.
    func decorate(_ response: inout HTTPResponse, origin: String?) {
        guard let origin, allows(origin) else { return }
        response.headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: allowedOrigins.contains("*") ? "*" : origin)
        response.headers.add(name: "Vary", value: "Origin")
        // Let pages read the PNG response's class headers and the request id.
        response.headers.replaceOrAdd(name: "Access-Control-Expose-Headers",
                                      value: "X-Request-ID, X-Top-Class, X-Top-Label, X-Top-Probability, X-Target-Class, X-Target-Layer, Retry-After")
    }

    /// The answer to OPTIONS: a preflight from an allowed origin gets the allowed methods and
    /// headers; any other OPTIONS gets 204 with Allow (RFC 9110 9.3.7).
    func preflight(_ request: HTTPRequest, allowed: [String]?) -> HTTPResponse {
        guard let allowed else {
            return GradCAMService.errorResponse(.notFound(path: request.path))
        }
        var headers: HTTPHeaders = ["Allow": (allowed + ["OPTIONS"]).joined(separator: ", ")]
        if let origin = request.headers["Origin"], request.headers["Access-Control-Request-Method"] != nil, allows(origin) {
            headers.add(name: "Access-Control-Allow-Methods", value: (allowed + ["OPTIONS"]).joined(separator: ", "))
            headers.add(name: "Access-Control-Allow-Headers", value: "Content-Type, Accept, X-Request-ID")
            headers.add(name: "Access-Control-Max-Age", value: "600")
        }
        return HTTPResponse(status: .noContent, headers: headers)
    }
}
