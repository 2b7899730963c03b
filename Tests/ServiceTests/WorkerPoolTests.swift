import Dispatch
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
