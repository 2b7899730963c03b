import Dispatch
import Foundation
import Synchronization

/// Helper threads that one Session keeps for splitting operators, handed work with no
/// system call while a pass is running.
///
/// DispatchQueue.concurrentPerform wakes a pool thread through the kernel for every call:
/// about as long as a 7x7 convolution takes, so splitting gained little. These helpers
/// poll for the next job for a while after each piece (a forward pass hands out one job per
/// convolution, back to back) and only then sleep on a semaphore, as OpenMP runtimes do.
final class ThreadTeam: @unchecked Sendable {
    /// Threads besides the caller's.
    let helpers: Int
    /// How split operators divide their units among the caller and the helpers; used by the
    /// caller's thread only (Parallelism.forEachPiece).
    let balance: PieceBalance
    /// Bumped for each job; a helper runs a job when it sees a generation it has not run.
    private let generation = Atomic<Int>(0)
    /// Helpers still running the current job.
    private let running = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    /// Bit i set: helper i is (about to be) asleep on wakeups[i].
    private let sleeping = Atomic<Int>(0)
    private let wakeups: [DispatchSemaphore]
    /// Written by the caller before `generation` is bumped (sequentially consistent), read by
    /// helpers after they see the bump; cleared only after every helper has finished.
    private var job: ((Int) -> Void)?

    /// How long a helper polls before it sleeps: longer than the gaps between one pass's
    /// operators, so that no helper has to be woken by the kernel (32-51 us on a Zen 4 VM)
    /// within a pass. It is a time, not a count of polls: 20,000 polls, meant as 0.1 ms, took
    /// 6 us there, and a helper slept about 26 times per EfficientNet-Lite0 pass
    /// (Benchmarks/README.md, 2026-12-06).
    private static let pollNanosecondsBeforeSleep: UInt64 = 200_000
    /// Polls between two looks at the clock.
    private static let pollsPerClockRead = 1024

    init(helpers: Int) {
        self.helpers = helpers
        balance = PieceBalance(participants: helpers + 1)
        precondition(helpers < Int.bitWidth, "one bit of `sleeping` per helper")
        wakeups = (0..<helpers).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<helpers {
            let thread = Thread { [self] in helperLoop(index) }
            thread.name = "engine-helper-\(index + 1)"
            thread.start()
        }
    }

    /// Runs body(0) on the calling thread and body(1...helpers) on the helpers; returns when all are done.
    func run(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            job = body
            running.store(helpers, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)
            wakeSleepers()
            body(0)
            while running.load(ordering: .sequentiallyConsistent) > 0 {}
            job = nil
        }
    }

    /// Ends the helper threads (the owning Session's deinit).
    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
    }

    private func wakeSleepers() {
        // A helper sets its flag before its last look at `generation`: either it sees the new
        // job, or we see the flag here and signal it (an extra signal only causes a spurious wake).
        let asleep = sleeping.load(ordering: .sequentiallyConsistent)
        for index in 0..<helpers where asleep & (1 << index) != 0 { wakeups[index].signal() }
    }

    private func helperLoop(_ index: Int) {
        var seen = 0
        while true {
            var polls = 0
            var sleepAt: UInt64? = nil  // set at the first look at the clock
            while generation.load(ordering: .sequentiallyConsistent) == seen {
                polls += 1
                if polls % Self.pollsPerClockRead != 0 { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                guard let at = sleepAt else { sleepAt = now + Self.pollNanosecondsBeforeSleep; continue }
                if now < at { continue }
                sleeping.bitwiseOr(1 << index, ordering: .sequentiallyConsistent)
                if generation.load(ordering: .sequentiallyConsistent) == seen { wakeups[index].wait() }
                sleeping.bitwiseAnd(~(1 << index), ordering: .sequentiallyConsistent)
                polls = 0
                sleepAt = nil
            }
            seen = generation.load(ordering: .sequentiallyConsistent)
            if stopped.load(ordering: .sequentiallyConsistent) { return }
            runJob(index + 1)
            running.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Helpers asleep now (for tests: an idle team must not keep polling).
    var sleepingHelpers: Int { sleeping.load(ordering: .sequentiallyConsistent).nonzeroBitCount }

    /// Not inlined, so this helper's reference to the job is released before it reports done:
    /// `run`'s withoutActuallyEscaping checks that no reference outlives it.
    @inline(never)
    private func runJob(_ index: Int) { job?(index) }
}
