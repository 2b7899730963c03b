import Dispatch
import Foundation
import TestSupport
import Testing
@testable import Service

/// Overload is answered with 503 and Retry-After at once, never a hang.
struct OverloadTests {
    @Test(arguments: TransportKind.allCases)
    func fullQueueAnswers503WithRetryAfter(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind) { $0.workers = 1; $0.queueDepth = 0; $0.retryAfterSeconds = 3 }
        let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        // Occupy the only worker.
        #expect(harness.service.pool.submit(deadline: .now() + 60, isClientConnected: { true }) { _, _ in started.signal(); release.wait() })
        started.wait()
        defer { release.signal() }
        let photo = try Fixtures.bytes("photos/coffee.jpg")
        let response = try harness.exchange(RawRequest.make("POST", "/predict", headers: [("Content-Type", "image/jpeg")], body: photo), timeout: .seconds(5))
        #expect(response.status == 503)
        #expect(response.headers["retry-after"] == "3")
        #expect(errorCode(response) == "overloaded")
        let ready = try harness.exchange(RawRequest.make("GET", "/readyz"))
        #expect(ready.status == 503)
    }

    @Test func jobThatWaitedPastTheQueueTimeoutAnswers503() throws {
        let harness = try ServiceHarness(.inProcess) { $0.workers = 1; $0.queueDepth = 4; $0.queueTimeoutMs = 50 }
        let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        #expect(harness.service.pool.submit(deadline: .now() + 60, isClientConnected: { true }) { _, _ in started.signal(); release.wait() })
        started.wait()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { release.signal() }
        let photo = try Fixtures.bytes("photos/coffee.jpg")
        let response = try harness.exchange(RawRequest.make("POST", "/predict", headers: [("Content-Type", "image/jpeg")], body: photo))
        #expect(response.status == 503)
        #expect(errorCode(response) == "deadline_exceeded")
        #expect(response.headers["retry-after"] != nil)
    }
}
