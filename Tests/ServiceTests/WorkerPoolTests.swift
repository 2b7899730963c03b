import Dispatch
import Engine
import Foundation
import Testing
@testable import Service

/// The bounded queue: refuse at once when full, drop work whose client left, expire work that
/// waited too long, and finish everything accepted when draining.
struct WorkerPoolTests {
    private func pool(workers: Int, queue: Int) throws -> WorkerPool {
        WorkerPool(model: try Fixtures.defaultBundle.get().model, workers: workers, queueCapacity: queue)
    }

    private let later = DispatchTime.now() + .seconds(60)

    @Test func fullQueueRefusesAtOnce() throws {
        let pool = try pool(workers: 1, queue: 1)
        defer { pool.drain(grace: 5) }
        let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        #expect(pool.submit(deadline: later, isClientConnected: { true }) { _, _ in started.signal(); release.wait() })
        started.wait()
        #expect(pool.submit(deadline: later, isClientConnected: { true }) { _, _ in })   // waits in the queue
        #expect(!pool.submit(deadline: later, isClientConnected: { true }) { _, _ in })  // no room
        #expect(!pool.isAcceptingWork)
        release.signal()
    }

    @Test func jobOfAClientThatLeftIsDroppedWithoutRunning() throws {
        #expect(try outcomeOfOneJob(deadline: later, clientConnected: false) == "gone")
    }

    @Test func jobPastItsDeadlineExpires() throws {
        #expect(try outcomeOfOneJob(deadline: .now() - .seconds(1), clientConnected: true) == "expired")
    }

    /// Submits one job to an idle pool and returns how its completion was called:
    /// "gone" (client left), "expired" (deadline passed) or "ran".
    private func outcomeOfOneJob(deadline: DispatchTime, clientConnected: Bool) throws -> String {
        let pool = try pool(workers: 1, queue: 4)
        defer { pool.drain(grace: 5) }
        let done = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        #expect(pool.submit(deadline: deadline, isClientConnected: { clientConnected }) { result, _ in
            switch result {
            case .clientGone: outcome.value = "gone"
            case .expired: outcome.value = "expired"
            default: outcome.value = "ran"
            }
            done.signal()
        })
        #expect(done.wait(timeout: .now() + 10) == .success)
        return outcome.value
    }

    /// The service's workers share one SharedCores and may each split an image over every
    /// core (up to GradCAMService.maxThreadsPerImage): a lone request runs on all of them.
    @Test func theServiceWorkersShareTheCoresAndMayEachUseThemAll() throws {
        var config = ServiceConfig()
        config.workers = 2
        let service = GradCAMService(config: config, bundle: try Fixtures.defaultBundle.get())
        defer { service.pool.drain(grace: 5) }
        let sessions = SessionsBox(), release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        for _ in 0..<2 {
            #expect(service.pool.submit(deadline: later, isClientConnected: { true }) { outcome, _ in
                if case .run(let session) = outcome { sessions.append(session) }
                started.signal()
                release.wait()  // both workers hold a job at once, so each reports its own session
            })
        }
        for _ in 0..<2 { #expect(started.wait(timeout: .now() + 10) == .success) }
        let seen = sessions.all
        let shared = try #require(seen.first?.sharing)
        #expect(shared.runningJobs == 2)  // each job counted while it runs
        release.signal(); release.signal()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(seen.count == 2 && seen[0] !== seen[1])
        #expect(seen.allSatisfy { $0.parallelism.threads == min(cores, GradCAMService.maxThreadsPerImage) })
        #expect(seen.allSatisfy { $0.sharing === shared } && shared.cores == cores)
        #expect(service.pool.drain(grace: 10) && shared.runningJobs == 0)
    }

    @Test func drainFinishesEveryAcceptedJobThenRefuses() throws {
        let pool = try pool(workers: 2, queue: 16)
        let counter = CounterBox()
        for _ in 0..<12 {
            #expect(pool.submit(deadline: later, isClientConnected: { true }) { _, _ in Thread.sleep(forTimeInterval: 0.01); counter.increment() })
        }
        #expect(pool.drain(grace: 10))
        #expect(counter.value == 12)
        #expect(!pool.submit(deadline: later, isClientConnected: { true }) { _, _ in })
    }
}

final class OutcomeBox: @unchecked Sendable { var value = "" }

final class CounterBox: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

final class SessionsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var sessions: [Session] = []
    func append(_ session: Session) { lock.lock(); sessions.append(session); lock.unlock() }
    var all: [Session] { lock.lock(); defer { lock.unlock() }; return sessions }
}
