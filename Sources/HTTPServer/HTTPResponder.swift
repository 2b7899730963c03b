import HTTP1

/// The application seam: one method, request in, response out (Hummingbird's responder).
public protocol HTTPResponder: Sendable {
    /// Called once per request, on the connection's serial queue, which it must not block.
    /// Answer through `reply` exactly once, from any thread, now or later; later calls are
    /// ignored. A responder that never replies holds its connection until shutdown.
    func respond(to request: HTTPRequest, context: RequestContext, reply: @escaping @Sendable (HTTPResponse) -> Void)
}
