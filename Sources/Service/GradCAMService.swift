import Engine
import Foundation
import HTTP1
import HTTPServer
import Logging
import Synchronization

/// The application: routes requests, queues image work on the pool, and renders every
/// answer. The socket server calls `respond` and never learns what a route does.
public final class GradCAMService: HTTPResponder {
    public let config: ServiceConfig
    public let explainer: Explainer
    public let pool: WorkerPool
    public let metrics: ServiceMetrics
    let logger: Logger

    public init(config: ServiceConfig, bundle: ModelBundle, metrics: ServiceMetrics = ServiceMetrics(), logger: Logger = Logger(label: "gradcam-server")) {
        self.config = config
        explainer = Explainer(bundle: bundle, decodeLimits: .init(maxPixels: config.maxImagePixels),
                              jpegDraft: config.decodeDraft(for: bundle.manifest.preprocessing))
        // Every worker may split its image over the cores the others leave idle (SharedCores):
        // one request alone runs on all of them, a full queue on one core per worker.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        pool = WorkerPool(model: bundle.model, workers: config.workerCount, queueCapacity: config.queueDepth,
                          threadsPerImage: min(cores, Self.maxThreadsPerImage), sharing: SharedCores(cores: cores))
        self.metrics = metrics
        self.logger = logger
    }

    /// Threads one image may be split over: each worker keeps this many minus one helper
    /// threads, asleep while it is not alone. A bound so that a many-core machine does not
    /// carry workers x cores threads; only 2 cores were measured (Benchmarks/README.md).
    static let maxThreadsPerImage = 4

    /// Method and routes; `Allow` lists what a path supports (RFC 9110 15.5.6).
    static let routes: [String: [String]] = [
        "/explain": ["POST"], "/predict": ["POST"], "/healthz": ["GET", "HEAD"], "/readyz": ["GET", "HEAD"],
        "/v1/model": ["GET", "HEAD"], "/metrics": ["GET", "HEAD"],
    ]

    public func respond(to request: HTTPRequest, context: RequestContext, reply: @escaping @Sendable (HTTPResponse) -> Void) {
        let requestID = RequestID.resolve(request.headers["X-Request-ID"])
        let cors = CORSPolicy(allowedOrigins: config.corsOrigins)
        let finish: @Sendable (HTTPResponse) -> Void = { response in
            var response = response
            response.headers.replaceOrAdd(name: "X-Request-ID", value: requestID)
            cors.decorate(&response, origin: request.headers["Origin"])
            reply(response)
        }
        if request.method == "OPTIONS" {
            finish(cors.preflight(request, allowed: GradCAMService.routes[request.path]))
            return
        }
        guard let allowed = GradCAMService.routes[request.path] else {
            finish(GradCAMService.errorResponse(.notFound(path: request.path)))
            return
        }
        guard allowed.contains(request.method) else {
            finish(GradCAMService.errorResponse(.methodNotAllowed(allowed: allowed)))
            return
        }
        switch request.path {
        case "/healthz": finish(.json(#"{"status":"ok"}"#))
        case "/readyz": finish(readiness())
        case "/v1/model": finish(.json(ModelDescription(explainer.bundle, jpegDraft: explainer.jpegDraft).json()))
        case "/metrics":
            finish(HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: metrics.render(pool: pool)))
        default:
            submitImageJob(request, context: context, explains: request.path == "/explain", reply: finish)
        }
    }

    private func readiness() -> HTTPResponse {
        guard pool.isAcceptingWork else {
            return GradCAMService.errorResponse(.overloaded(retryAfterSeconds: config.retryAfterSeconds))
        }
        return .json(#"{"status":"ready","queueDepth":\#(pool.queueDepth),"workers":\#(pool.workerCount)}"#)
    }

    /// Parses on the connection's queue (cheap), then queues decode + engine + encode on the pool.
    private func submitImageJob(_ request: HTTPRequest, context: RequestContext, explains: Bool,
                                reply: @escaping @Sendable (HTTPResponse) -> Void) {
        // RFC 9112 6.3: a POST with neither Content-Length nor Transfer-Encoding has no body.
        if request.headers["Content-Length"] == nil && request.headers["Transfer-Encoding"] == nil {
            reply(GradCAMService.errorResponse(.lengthRequired))
            return
        }
        let parsed: ExplainRequest
        do { parsed = try ExplainRequest.parse(request, explains: explains) } catch {
            reply(GradCAMService.errorResponse(error))
            return
        }
        let explainer = self.explainer, metrics = self.metrics, retryAfter = config.retryAfterSeconds
        let deadline = DispatchTime.now() + .milliseconds(config.queueTimeoutMs)
        let accepted = pool.submit(deadline: deadline, isClientConnected: context.isClientConnected) { outcome, waited in
            switch outcome {
            case .clientGone:
                metrics.recordDropped()
                reply(GradCAMService.errorResponse(.clientGone))
            case .expired:
                metrics.recordExpired()
                reply(GradCAMService.errorResponse(.deadlineExceeded(retryAfterSeconds: retryAfter)))
            case .run(let session):
                let started = DispatchTime.now()
                let response: HTTPResponse
                do {
                    var result = try explainer.explain(imageBytes: parsed.image, options: parsed.options, session: session)
                    result.timings.queue = waited
                    response = try ResponseRenderer.render(result, for: parsed, explainer: explainer)
                } catch {
                    response = GradCAMService.errorResponse(ServiceError(error))
                }
                metrics.recordJob(busySeconds: Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
                reply(response)
            }
        }
        if !accepted {
            metrics.recordRejected()
            reply(GradCAMService.errorResponse(.overloaded(retryAfterSeconds: retryAfter)))
        }
    }

    /// The one function that turns any service error into its response.
    static func errorResponse(_ error: ServiceError) -> HTTPResponse {
        ErrorBody.response(status: error.status, code: error.code, message: error.description, extraHeaders: HTTPHeaders(error.headers))
    }
}

extension HTTPResponse {
    static func json(_ text: String) -> HTTPResponse { json(Array(text.utf8)) }
    static func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: body)
    }
}

/// X-Request-ID: echo a client's id when it is short printable ASCII, else make one.
enum RequestID {
    static func resolve(_ offered: String?) -> String {
        if let offered, (1...128).contains(offered.utf8.count),
           offered.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return offered }
        return make()
    }

    /// A random-looking UUID (version 4 layout), unique within the process and, through the
    /// random keys, across processes. Foundation's UUID() opened /dev/urandom on every call:
    /// 6% of GET /healthz time in perf. Request ids need uniqueness, not secrecy.
    static func make() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        // SplitMix64's finaliser is a bijection, so distinct counters give distinct halves; after
        // the 6 version and variant bits, two ids collide only if both halves do (about 2^-122).
        let high = mix(n ^ keys.0) & ~0xF000 | 0x4000  // version 4
        let low = mix(n &+ keys.1) & ~(0xC << 60) | (0x8 << 60)  // RFC 9562 variant
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, half) in [high, low].enumerated() {
            for nibble in (0..<16).reversed() {
                let position = index * 16 + 15 - nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { text.append(UInt8(ascii: "-")) }
                text.append(hexDigits[Int(half >> (UInt64(nibble) * 4) & 0xF)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let keys = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
    private static let counter = Atomic<UInt64>(0)

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
