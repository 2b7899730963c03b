import Foundation
import Prometheus
import Synchronization

/// The /metrics registry: requests by route and status, latency histograms, queue depth and
/// worker busy time, in Prometheus' text format.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let queueDepth: Gauge
    private let busyWorkers: Gauge
    private let workerBusySeconds: Counter
    private let droppedJobs: Counter
    private let expiredJobs: Counter
    private let rejectedJobs: Counter
    /// Latency histograms by route, made once. The registry looks a metric up by building its
    /// name and labels under a lock; per request that showed up in GET /healthz profiles.
    private let latencyByRoute: [String: DurationHistogram]
    /// Request counters by route, method and status, made on first use and then reused.
    private let requestCounters = Mutex<[RequestKey: Counter]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// Routes are a closed set, so a client cannot blow up label cardinality with random paths.
    static let routes: Set = ["/explain", "/predict", "/healthz", "/readyz", "/v1/model", "/metrics"]
    /// Methods are client text too (any token parses, RFC 9110 9.1): unknown ones count as "other".
    static let methods: Set = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "-"]
    static let latencyBuckets: [Duration] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].map { .milliseconds($0) }

    public init() {
        queueDepth = registry.makeGauge(descriptor: .init(namespace: "gradcam", metricName: "queue", unitName: "depth", helpText: "Jobs waiting for a worker."))
        busyWorkers = registry.makeGauge(descriptor: .init(namespace: "gradcam", metricName: "workers", unitName: "busy", helpText: "Workers running a job."))
        workerBusySeconds = registry.makeCounter(descriptor: .init(namespace: "gradcam", metricName: "worker_busy_seconds", unitName: "total", helpText: "Time workers spent running jobs."))
        droppedJobs = registry.makeCounter(descriptor: .init(namespace: "gradcam", metricName: "jobs_dropped", unitName: "total", helpText: "Queued jobs dropped because their client went away."))
        expiredJobs = registry.makeCounter(descriptor: .init(namespace: "gradcam", metricName: "jobs_expired", unitName: "total", helpText: "Queued jobs that waited past their deadline."))
        rejectedJobs = registry.makeCounter(descriptor: .init(namespace: "gradcam", metricName: "jobs_rejected", unitName: "total", helpText: "Jobs refused because the queue was full."))
        var latencyByRoute: [String: DurationHistogram] = [:]
        for route in ServiceMetrics.routes.union(["other"]) {
            latencyByRoute[route] = registry.makeDurationHistogram(
                descriptor: .init(namespace: "gradcam", metricName: "http_request_duration", unitName: "seconds", helpText: "Time from the request's first byte to the response."),
                labels: [("route", route)], buckets: ServiceMetrics.latencyBuckets)
        }
        self.latencyByRoute = latencyByRoute
    }

    public func recordRequest(method: String, path: String, status: Int, duration: Duration) {
        let route = ServiceMetrics.routes.contains(path) ? path : "other"
        let method = ServiceMetrics.methods.contains(method) ? method : "other"
        let key = RequestKey(route: route, method: method, status: status)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: .init(namespace: "gradcam", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route, method and status."),
                labels: [("route", route), ("method", method), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
        latencyByRoute[route]!.record(duration)
    }

    func recordJob(busySeconds: Double) { workerBusySeconds.increment(by: busySeconds) }
    func recordDropped() { droppedJobs.increment() }
    func recordExpired() { expiredJobs.increment() }
    func recordRejected() { rejectedJobs.increment() }

    /// The exposition text, with the gauges read at scrape time.
    func render(pool: WorkerPool) -> [UInt8] {
        queueDepth.set(Int64(pool.queueDepth))
        busyWorkers.set(Int64(pool.busyWorkerCount))
        var buffer = [UInt8]()
        registry.emit(into: &buffer)
        return buffer
    }
}
