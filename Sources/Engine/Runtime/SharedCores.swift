import Synchronization

/// The machine's cores as the service's workers share them: a Session given a SharedCores
/// splits an operator over its threads only while the other workers leave cores idle.
///
/// Why: the service runs one worker per core, so that a busy server spends every core on whole
/// images (two images on two cores, one each, run about 2x as fast as one after the other; one
/// image split over two threads only about 1.6x, Benchmarks/README.md). But then a lone
/// request, such as one `curl` at a time, ran on one core while the others idled. Now each
/// worker counts here the job it runs (decoding, passes and response: all of it takes a core,
/// Session.runningJob), and before each operator a session takes its job's share of the cores:
/// all of them when its job runs alone, one when every worker is busy. A worker that starts a
/// job while another runs split takes its core back at that one's next operator (a few
/// milliseconds at most), which is when the other sees two jobs and runs the rest alone.
///
/// Only a job that started with a core to spare may borrow. Under full load one worker's jobs
/// follow each other with short gaps (waiting for the next request); when the other worker's
/// job borrowed in those gaps, its helper took a core the next job needed. Without this rule,
/// `Benchmarks/load.sh` printed 79.38-84.79 POST /explain requests/s at four connections
/// against 87.82-90.23 for the binary before sharing, in alternating runs; with it, eight
/// alternating runs averaged 93.10 against 91.45 (Benchmarks/README.md).
public final class SharedCores: Sendable {
    public let cores: Int
    /// Jobs running now, among all the workers that share these cores.
    private let jobs = Atomic<Int>(0)

    public init(cores: Int) {
        self.cores = max(1, cores)
    }

    /// Runs `job` counted among the jobs that share the cores; `job` learns whether it started
    /// with a core to spare (so that it may borrow: `threads(limit:)`).
    func counting<T, E: Error>(_ job: (_ startedWithSpareCore: Bool) throws(E) -> T) throws(E) -> T {
        let running = jobs.add(1, ordering: .relaxed).newValue
        defer { jobs.subtract(1, ordering: .relaxed) }
        return try job(running < cores)
    }

    /// Threads an operator of a job that may borrow can use now: its equal share of the cores
    /// (rounded down, at least 1), at most `limit`.
    func threads(limit: Int) -> Int {
        let running = max(1, jobs.load(ordering: .relaxed))
        return max(1, min(limit, cores / running))
    }

    /// Jobs counted now.
    public var runningJobs: Int { jobs.load(ordering: .relaxed) }
}

/// One session's hold on the shared cores: whether the job it runs now may borrow idle ones.
/// `mayBorrow` is set by Session.runningJob and read before each operator
/// (Parallelism.forNextOperator), both on the session's own thread.
final class CoreLease: @unchecked Sendable {
    let cores: SharedCores
    var mayBorrow = false

    init(cores: SharedCores) {
        self.cores = cores
    }
}
