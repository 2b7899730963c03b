import Foundation
import Prometheus

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

    /// Routes are a closed set, so a client cannot blow up label cardinality with random paths.
    static let routes: Set = ["/explain", "/predict", "/healthz", "/readyz", "/v1/model", "/metrics"]
    static let latencyBuckets: [Duration] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].map { .milliseconds($0) }

    public init() {
        queueDepth = registry.makeGauge(name: "gradcam_queue_depth", help: "Jobs waiting for a worker.")
        busyWorkers = registry.makeGauge(name: "gradcam_workers_busy", help: "Workers running a job.")
        workerBusySeconds = registry.makeCounter(name: "gradcam_worker_busy_seconds_total", help: "Time workers spent running jobs.")
        droppedJobs = registry.makeCounter(name: "gradcam_jobs_dropped_total", help: "Queued jobs dropped because their client went away.")
        expiredJobs = registry.makeCounter(name: "gradcam_jobs_expired_total", help: "Queued jobs that waited past their deadline.")
        rejectedJobs = registry.makeCounter(name: "gradcam_jobs_rejected_total", help: "Jobs refused because the queue was full.")
    }

    public func recordRequest(method: String, path: String, status: Int, duration: Duration) {
        let route = ServiceMetrics.routes.contains(path) ? path : "other"
        registry.makeCounter(name: "gradcam_http_requests_total", labels: [("route", route), ("method", method), ("status", String(status))],
                             help: "HTTP requests by route, method and status.").increment()
        registry.makeDurationHistogram(name: "gradcam_http_request_duration_seconds", labels: [("route", route)],
                                       buckets: ServiceMetrics.latencyBuckets, help: "Time from the request's first byte to the response.").record(duration)
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
