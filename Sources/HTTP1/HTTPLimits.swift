/// Every limit the request parser enforces, in one place (swift-nio keeps its decoder limits the
/// same way). Each limit names the status a request that crosses it receives.
public struct HTTPLimits: Sendable, Hashable {
    /// Longest request line, without its CR LF. Default 8 KiB. Longer: 414 URI Too Long
    /// (RFC 9112 3: a server that receives a request-target longer than it wishes to parse
    /// responds 414).
    public var maxRequestLineBytes: Int
    /// Longest header section (every field line with its CR LF, plus the empty line). Also the
    /// budget of a chunked body's trailer section. Default 16 KiB. Larger: 431 (RFC 6585 5).
    public var maxHeaderBytes: Int
    /// Most field lines in the header section (and, separately, in a trailer section).
    /// Default 100. More: 431.
    public var maxHeaderCount: Int
    /// Largest body, after chunked decoding. Default 20 MiB. Larger: 413 Content Too Large,
    /// sent as soon as the head declares it (RFC 9110 15.5.14), without reading the body.
    public var maxBodyBytes: Int
    /// Longest chunk-size line (size, extensions, no CR LF). Default 4 KiB. Longer: 400; a
    /// chunk extension has no use here that needs more, and an endless one is an attack.
    public var maxChunkLineBytes: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 20 * 1024 * 1024,
        maxChunkLineBytes: Int = 4 * 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}
