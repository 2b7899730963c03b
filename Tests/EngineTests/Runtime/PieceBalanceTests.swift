import Testing
@testable import Engine

/// PieceBalance alone, with piece times made up: what it learns and how it cuts. ThreadTeamTests
/// checks that the pieces of a real team still cover every index once.
struct PieceBalanceTests {
    /// Runs `lessons` splits of `units` units, piece i taking nanosecondsPerUnit[i] per unit,
    /// and returns the bounds of the next one.
    func bounds(after lessons: Int, units: Int, nanosecondsPerUnit: [UInt64], balance: PieceBalance? = nil) -> [Int] {
        let balance = balance ?? PieceBalance(participants: nanosecondsPerUnit.count)
        let split = PieceBalance.Split(count: units, granule: 1, pieces: nanosecondsPerUnit.count)
        for _ in 0..<lessons {
            let bounds = balance.cut(units: units, split: split)
            for piece in nanosecondsPerUnit.indices {
                balance.nanoseconds[piece] = UInt64(bounds[piece + 1] - bounds[piece]) * nanosecondsPerUnit[piece]
            }
            balance.record(split)
        }
        return Array(balance.cut(units: units, split: split))
    }

    @Test func anUntimedSplitIsCutIntoEqualPieces() {
        #expect(bounds(after: 0, units: 1000, nanosecondsPerUnit: [1000, 2000]) == [0, 500, 1000])
        #expect(bounds(after: 0, units: 13, nanosecondsPerUnit: [1000, 1000, 1000]) == [0, 4, 8, 13])
    }

    /// A thread at half the speed ends up with a third of the units, and then both pieces take
    /// the same time.
    @Test func aSlowerThreadGetsFewerUnitsUntilThePiecesTakeEqualTime() {
        let cut = bounds(after: 12, units: 1000, nanosecondsPerUnit: [1000, 2000])
        #expect(abs(cut[1] - 667) <= 3, "\(cut)")
        #expect(bounds(after: 12, units: 1000, nanosecondsPerUnit: [1500, 1500]) == [0, 500, 1000])
    }

    /// One lesson from a stalled piece (a hundred times slower) asks for no less than half an
    /// even share: the next cut moves halfway from 1/2 toward 1/4.
    @Test func aStalledPieceCostsItsThreadAtMostAQuarterOfItsShare() {
        #expect(bounds(after: 1, units: 1000, nanosecondsPerUnit: [1000, 100_000]) == [0, 625, 1000])
    }

    /// Three threads, one a hundred times faster: each lesson asks for at most one and a half
    /// even shares for it and half an even share for the others, so the cut settles at
    /// 0.5 : 1/6 : 1/6 of their sum, not with the last piece taking what the shares leave.
    @Test func clampedSharesCutTheUnitsInProportion() {
        let cut = bounds(after: 20, units: 1000, nanosecondsPerUnit: [10, 1000, 1000])
        #expect(zip(cut, [0, 600, 800, 1000]).allSatisfy { abs($0 - $1) <= 2 }, "\(cut)")
    }

    /// However slow a thread, each piece keeps a unit and the pieces cover the units in order.
    @Test func everyPieceKeepsAUnitAndThePiecesCoverTheUnits() {
        for units in [4, 5, 7, 40] {
            let cut = bounds(after: 20, units: units, nanosecondsPerUnit: [1_000, 1_000, 10_000_000, 1_000])
            #expect(cut.first == 0 && cut.last == units, "\(cut)")
            #expect(zip(cut, cut.dropFirst()).allSatisfy { $0 < $1 }, "\(cut)")
        }
    }

    /// Pieces too short to time teach nothing, and splits are learned apart.
    @Test func shortPiecesTeachNothingAndSplitsAreLearnedApart() {
        #expect(bounds(after: 10, units: 1000, nanosecondsPerUnit: [1, 3]) == [0, 500, 1000])
        let balance = PieceBalance(participants: 2)
        _ = bounds(after: 10, units: 1000, nanosecondsPerUnit: [1000, 3000], balance: balance)
        #expect(bounds(after: 0, units: 999, nanosecondsPerUnit: [1000, 1000], balance: balance) == [0, 499, 999])
    }

    /// Idle time: pieces of 3 and 5 us leave 2 of the 10 us of thread time waiting.
    @Test func idleTimeIsTheWaitForTheSlowestPiece() {
        let balance = PieceBalance(participants: 2)
        let split = PieceBalance.Split(count: 8, granule: 1, pieces: 2)
        balance.nanoseconds[0] = 3_000
        balance.nanoseconds[1] = 5_000
        _ = balance.cut(units: 8, split: split)
        balance.record(split)
        #expect(balance.threadNanoseconds == 10_000 && balance.idleNanoseconds == 2_000)
    }
}
