import Engine
import Foundation

/// A bounded queue in front of N worker threads that share one Model.
///
/// Each worker owns a Session (its activation, gradient and scratch memory), so workers
/// never contend for memory; the weights are read-only and shared. A full queue refuses at
/// once (the caller answers 503 with Retry-After) rather than letting callers wait forever.
public final class WorkerPool: @unchecked Sendable {
    /// What a worker does with a job it takes.
    public enum Outcome {
        /// Run it with this worker's session.
        case run(Session)
        /// The client went away while it waited: nothing ran.
        case clientGone
        /// It waited past its deadline: nothing ran.
        case expired
    }

    public struct Job: Sendable {
        let enqueuedAt: DispatchTime
        let deadline: DispatchTime
        let isClientConnected: @Sendable () -> Bool
        /// Called exactly once, on a worker thread.
        let body: @Sendable (Outcome, _ waited: Double) -> Void
    }

    /// The pool's state; the queue exists only while it accepts work (swift-nio's NIOThreadPool).
    private enum State {
        case running(queue: [Job])
        case draining(queue: [Job])
        case stopped
    }

    public let workerCount: Int
    public let queueCapacity: Int
    private let condition = NSCondition()
    private var state: State = .running(queue: [])
    private var busyWorkers = 0
    private var threads: [Thread] = []
    private var busySeconds = 0.0

    /// `threadsPerImage`: how many threads each worker's session may split a convolution over
    /// (Parallelism). With `sharing`, a session uses them only while the other workers leave
    /// those cores idle (SharedCores): a lone request runs on every core, a full queue on one each.
    public init(model: Model, workers: Int, queueCapacity: Int, threadsPerImage: Int = 1, sharing: SharedCores? = nil) {
        workerCount = max(1, workers)
        self.queueCapacity = max(0, queueCapacity)
        for index in 0..<workerCount {
            // The thread keeps the pool alive until `drain` stops it and the loop returns.
            let thread = Thread { self.workerLoop(session: Session(model: model, parallelism: Parallelism(threads: threadsPerImage), sharing: sharing)) }
            thread.name = "gradcam-worker-\(index)"
            thread.stackSize = 8 << 20
            threads.append(thread)
            thread.start()
        }
    }

    /// Queues a job; false when the queue is full or the pool no longer accepts work.
    public func submit(deadline: DispatchTime, isClientConnected: @escaping @Sendable () -> Bool,
                       _ body: @escaping @Sendable (Outcome, _ waited: Double) -> Void) -> Bool {
        condition.lock(); defer { condition.unlock() }
        guard case .running(var queue) = state else { return false }
        // Jobs being run plus jobs waiting: a queue of capacity Q admits Q waiting jobs beyond the busy workers.
        guard queue.count < queueCapacity + (workerCount - busyWorkers) else { return false }
        queue.append(Job(enqueuedAt: .now(), deadline: deadline, isClientConnected: isClientConnected, body: body))
        state = .running(queue: queue)
        condition.signal()
        return true
    }

    public var queueDepth: Int {
        condition.lock(); defer { condition.unlock() }
        switch state {
        case .running(let q), .draining(let q): return q.count
        case .stopped: return 0
        }
    }

    public var busyWorkerCount: Int { condition.lock(); defer { condition.unlock() }; return busyWorkers }
    public var totalBusySeconds: Double { condition.lock(); defer { condition.unlock() }; return busySeconds }

    /// True while the pool accepts work and its queue has room.
    public var isAcceptingWork: Bool {
        condition.lock(); defer { condition.unlock() }
        if case .running(let q) = state { return q.count < queueCapacity + (workerCount - busyWorkers) }
        return false
    }

    /// Stops accepting work, lets the workers finish every queued and running job, and
    /// returns true if they did within `grace` seconds (graceful shutdown: nothing accepted is lost).
    @discardableResult
    public func drain(grace: Double) -> Bool {
        condition.lock()
        if case .running(let q) = state { state = .draining(queue: q) }
        condition.broadcast()
        let limit = Date(timeIntervalSinceNow: grace)
        while !isIdleLocked {
            if !condition.wait(until: limit) { break }
        }
        let finished = isIdleLocked
        state = .stopped
        condition.broadcast()
        condition.unlock()
        return finished
    }

    private var isIdleLocked: Bool {
        switch state {
        case .running(let q), .draining(let q): return q.isEmpty && busyWorkers == 0
        case .stopped: return busyWorkers == 0
        }
    }

    private func workerLoop(session: Session) {
        while let job = nextJob() {
            let started = DispatchTime.now()
            let waited = Double(started.uptimeNanoseconds - job.enqueuedAt.uptimeNanoseconds) / 1e6
            if !job.isClientConnected() {
                job.body(.clientGone, waited)
            } else if started > job.deadline {
                job.body(.expired, waited)
            } else {
                session.runningJob { job.body(.run(session), waited) }
            }
            condition.lock()
            busyWorkers -= 1
            busySeconds += Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Blocks until a job is available; nil once the pool has stopped (or drained empty).
    private func nextJob() -> Job? {
        condition.lock(); defer { condition.unlock() }
        while true {
            switch state {
            case .running(var queue) where !queue.isEmpty:
                let job = queue.removeFirst()
                state = .running(queue: queue)
                busyWorkers += 1
                return job
            case .draining(var queue) where !queue.isEmpty:
                let job = queue.removeFirst()
                state = .draining(queue: queue)
                busyWorkers += 1
                return job
            case .stopped:
                return nil
            default:
                condition.wait()
            }
        }
    }
}
