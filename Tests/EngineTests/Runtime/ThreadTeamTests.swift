import Foundation
import Synchronization
import Testing
@testable import Engine

struct ThreadTeamTests {
    /// Every job runs each index exactly once, whether the helpers are still spinning (jobs
    /// back to back) or asleep (a pause longer than their spin), and run returns only after all.
    @Test(arguments: [1, 3])
    func everyJobRunsEachPieceOnceAndRunReturnsAfterAll(helpers: Int) {
        let team = ThreadTeam(helpers: helpers)
        defer { team.stop() }
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: helpers + 1)
        defer { counts.deallocate() }
        for job in 0..<300 {
            counts.initialize(repeating: 0, count: helpers + 1)
            team.run { index in
                if index > 0 { usleep(job % 50 == 0 ? 200 : 0) }  // a slow helper: run must wait for it
                counts[index] += 1
            }
            #expect((0...helpers).allSatisfy { counts[$0] == 1 }, "job \(job)")
            if job % 30 == 0 { usleep(5_000) }  // long enough for the helpers to fall asleep
        }
    }

    /// Helpers poll only for a while after a job, then sleep: an idle session must not keep
    /// a core busy. They still run the next job after sleeping.
    @Test func idleHelpersFallAsleepAndStillRunTheNextJob() {
        let team = ThreadTeam(helpers: 2)
        defer { team.stop() }
        let runs = Atomic<Int>(0)
        team.run { _ in runs.add(1, ordering: .relaxed) }
        // 0.2 ms of polling; allow a loaded machine up to 2 s to get there.
        var asleep = false
        for _ in 0..<2_000 where !asleep {
            usleep(1_000)
            asleep = team.sleepingHelpers == 2
        }
        #expect(asleep)
        team.run { _ in runs.add(1, ordering: .relaxed) }
        #expect(runs.load(ordering: .relaxed) == 6)
    }

    /// A helper whose units take four times as long is given fewer of them in the next splits
    /// of the same kind (PieceBalance): a fifth of the 400 at balance, half with equal pieces.
    /// The median of the last five splits, so that a test run alongside (a thread preempted for
    /// a piece) cannot decide it.
    @Test func aSlowerHelperIsGivenFewerUnits() {
        let team = ThreadTeam(helpers: 1)
        defer { team.stop() }
        let parallelism = Parallelism(team: team)
        let helperUnits = Mutex<[Int]>([])
        for _ in 0..<20 {
            parallelism.forEachPiece(of: 400, granule: 4) { range, thread in
                let end = DispatchTime.now().uptimeNanoseconds + UInt64(range.count * (thread == 0 ? 1_000 : 4_000))
                while DispatchTime.now().uptimeNanoseconds < end {}
                if thread == 1 { helperUnits.withLock { $0.append(range.count) } }
            }
        }
        let last = helperUnits.withLock { $0.suffix(5).sorted() }
        #expect(last.count == 5 && last[2] < 150, "\(last)")
    }

    /// Pieces of a split cover the range exactly once, in granule-aligned bands.
    @Test func piecesCoverTheRangeInAlignedBands() {
        let team = ThreadTeam(helpers: 2)
        defer { team.stop() }
        let parallelism = Parallelism(team: team)
        for count in [0, 1, 15, 16, 17, 49, 196, 12_544] {
            let seen = Mutex<[Range<Int>]>([])
            parallelism.forEachPiece(of: count, granule: 16) { range, _ in seen.withLock { $0.append(range) } }
            let ranges = seen.withLock { $0 }.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
            #expect(ranges.map(\.count).reduce(0, +) == count, "count \(count)")
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(ranges.dropLast().allSatisfy { $0.upperBound % 16 == 0 })
            #expect(ranges.count <= 3)
        }
    }
}
