import Synchronization

/// The machine's cores as the service's workers share them: a Session given a SharedCores
/// splits an operator over its threads only while the other workers leave cores idle.
///
/// Why: the service runs one worker per core, so that a busy server spends every core on whole
/// images (two images on two cores, one each, run about 2x as fast as one after the other; one
/// image split over two threads only about 1.6x, NOTES.md and Benchmarks/README.md). But then a
/// lone request, such as one `curl` at a time, ran on one core while the others idled. Now each
/// worker counts here the job it runs (decoding, passes and response: all of it takes a core),
/// and before each operator a session takes its share of the cores: all of them when its job
/// runs alone, one when every worker is busy. A worker that starts a job while another runs
/// split takes its core back at that one's next operator (a few milliseconds at most), which
/// is when the other sees two jobs and runs the rest alone.
public final class SharedCores: Sendable {
    public let cores: Int
    /// Jobs running now, among all the workers that share these cores.
    private let jobs = Atomic<Int>(0)

    public init(cores: Int) {
        self.cores = max(1, cores)
    }

    /// Threads one job's operator may use now: its equal share of the cores (rounded down, at
    /// least 1), at most `limit`.
    func threads(limit: Int) -> Int {
        let running = max(1, jobs.load(ordering: .relaxed))
        return max(1, min(limit, cores / running))
    }

    /// Runs `job` counted among the jobs that share the cores.
    public func counting<T, E: Error>(_ job: () throws(E) -> T) throws(E) -> T {
        jobs.add(1, ordering: .relaxed)
        defer { jobs.subtract(1, ordering: .relaxed) }
        return try job()
    }

    /// Jobs counted now.
    public var runningJobs: Int { jobs.load(ordering: .relaxed) }
}
