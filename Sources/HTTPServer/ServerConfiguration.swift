import HTTP1

/// How the server listens, how many connections it holds, and how long it waits.
public struct ServerConfiguration: Sendable {
    /// A numeric IPv4 or IPv6 literal: "127.0.0.1", "::1", "0.0.0.0", "::". Default "127.0.0.1".
    public var host: String
    /// 0 asks the kernel for a free port; `HTTPServer.start()` returns the one it got. Default 8080.
    public var port: Int
    /// Pending connections the kernel queues before accept. Default 512.
    public var backlog: Int
    /// Open connections beyond this are answered 503 with Retry-After, then closed as after any
    /// final response (lingering, at most HTTPServer.maxLingeringRefusals at once). Default 1024.
    public var maxConnections: Int
    /// The Retry-After of that 503, in seconds. Default 1.
    public var refusalRetryAfterSeconds: Int
    /// The whole head of a request must arrive within this time of its first byte, however
    /// slowly bytes keep coming (slowloris). A new connection gets it from accept. Default 10 s.
    public var headerTimeout: Duration
    /// The whole body must arrive within this time after the head. Default 30 s.
    public var bodyTimeout: Duration
    /// A keep-alive connection with no request in progress is closed after this. Default 60 s.
    public var idleTimeout: Duration
    /// A response must be written within this time, or the connection is closed (a client
    /// that stops reading). nil: no limit. Default 30 s.
    public var writeTimeout: Duration?
    /// After a final response on a closing connection, unread request bytes are drained this
    /// long before closing, so the client reads the response instead of a reset. Default 2 s.
    public var lingerTimeout: Duration
    /// The parser limits.
    public var limits: HTTPLimits

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        backlog: Int = 512,
        maxConnections: Int = 1024,
        refusalRetryAfterSeconds: Int = 1,
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration? = .seconds(30),
        lingerTimeout: Duration = .seconds(2),
        limits: HTTPLimits = HTTPLimits()
    ) {
        self.host = host
        self.port = port
        self.backlog = backlog
        self.maxConnections = maxConnections
        self.refusalRetryAfterSeconds = refusalRetryAfterSeconds
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.lingerTimeout = lingerTimeout
        self.limits = limits
    }
}
