/// How a ThreadTeam's split operators divide their units among the threads: each thread's
/// share, learned per kind of split from the times its last pieces took.
///
/// Why: on the 2-vCPU test machine one core often ran 30-40% slower than the other for
/// seconds at a time, and which one changed from phase to phase (a busy neighbour on the host,
/// presumably; timing each thread's half of a 56 x 56 pointwise layer, pass after pass). With
/// equal halves the fast thread then waited for the slow one at every operator.
/// EfficientNet-Lite0 at 2 threads, `bench` in alternating runs: 10.1, 9.1 and 11.3% of the
/// split operators' thread time idle with equal pieces, 7.3, 5.7 and 7.8% with learned shares;
/// about 5% either way while the cores ran alike (5.4 -> 5.9, 4.4 -> 5.1; Benchmarks/README.md).
/// Learning per kind of split also evens out pieces whose units cost unequal amounts (a band
/// that ends in dot columns).
///
/// A split's kind is its count, granule and number of pieces (one layer shape, usually). After
/// each run its shares move halfway to those that would have balanced that run. Boundaries
/// stay at multiples of the granule, and our kernels compute a unit the same way whichever
/// piece holds it, so their outputs do not depend on the shares. sgemm (the classifier,
/// grouped convolutions) may round a band of another width differently in the last bit, as it
/// already may when the shared cores give an operator one thread instead of two.
final class PieceBalance {
    struct Split: Hashable {
        let count: Int, granule: Int, pieces: Int
    }

    /// Pieces shorter than this do not teach: their time is mostly the clock's and the wake-up's.
    static let shortestLesson: UInt64 = 2_000
    /// How far a lesson moves the shares toward balance.
    static let learningRate = 0.5
    /// A lesson asks for no less than half an even share and no more than one and a half: a
    /// thread stalled for one piece (a preemption) must not starve it of work in the next ones.
    static let fewestShare = 0.5, mostShare = 1.5

    private var shares: [Split: [Double]] = [:]
    /// Each participant's last piece in nanoseconds: written by the participant, read by the
    /// caller after ThreadTeam.run returns.
    let nanoseconds: UnsafeMutablePointer<UInt64>
    /// The last cut, in units: piece i is bounds[i]..<bounds[i + 1]. Kept here, not returned as
    /// an array, so that an operator's split allocates nothing.
    private let bounds: UnsafeMutablePointer<Int>

    init(participants: Int) {
        nanoseconds = .allocate(capacity: participants)
        nanoseconds.initialize(repeating: 0, count: participants)
        bounds = .allocate(capacity: participants + 1)
        bounds.initialize(repeating: 0, count: participants + 1)
    }

    deinit {
        nanoseconds.deallocate()
        bounds.deallocate()
    }

    /// Cuts `units` into split.pieces pieces and returns the boundaries, valid until the next
    /// cut: equal pieces until the split has been timed, then by its shares, each piece at least
    /// one unit.
    func cut(units: Int, split: Split) -> UnsafeBufferPointer<Int> {
        let pieces = split.pieces
        bounds[0] = 0
        bounds[pieces] = units
        if units > pieces, let shares = shares[split] {
            // Clamped lessons need not sum to one: the cut is by each share of their sum.
            // Rounding may not leave a piece empty.
            let total = shares.reduce(0, +)
            var cumulative = 0.0
            for piece in 0..<(pieces - 1) {
                cumulative += shares[piece]
                let at = Int((Double(units) * cumulative / total).rounded())
                bounds[piece + 1] = min(max(at, bounds[piece] + 1), units - (pieces - 1 - piece))
            }
        } else {
            for piece in 1..<pieces { bounds[piece] = units * piece / pieces }
        }
        return UnsafeBufferPointer(start: bounds, count: pieces + 1)
    }

    /// Thread time of the split operators run so far (pieces x their slowest piece), and the
    /// part of it the threads spent waiting for the slowest.
    private(set) var threadNanoseconds: UInt64 = 0, idleNanoseconds: UInt64 = 0

    /// Counts the run of the last cut and learns from it: each thread's rate is its units over
    /// its time, and the balancing shares are proportional to the rates.
    func record(_ split: Split) {
        let pieces = split.pieces
        var slowest: UInt64 = 0, busy: UInt64 = 0
        for piece in 0..<pieces { slowest = max(slowest, nanoseconds[piece]); busy += nanoseconds[piece] }
        threadNanoseconds += UInt64(pieces) * slowest
        idleNanoseconds += UInt64(pieces) * slowest - busy
        let units = bounds[pieces]
        guard units > pieces else { return }
        func rate(_ piece: Int) -> Double { Double(bounds[piece + 1] - bounds[piece]) / Double(nanoseconds[piece]) }
        var total = 0.0
        for piece in 0..<pieces {
            guard bounds[piece + 1] > bounds[piece], nanoseconds[piece] >= Self.shortestLesson else { return }
            total += rate(piece)
        }
        if shares[split] == nil { shares[split] = (0..<pieces).map { Double(bounds[$0 + 1] - bounds[$0]) / Double(units) } }
        let even = 1 / Double(pieces)
        for piece in 0..<pieces {
            let balancing = min(max(rate(piece) / total, Self.fewestShare * even), Self.mostShare * even)
            shares[split]![piece] += Self.learningRate * (balancing - shares[split]![piece])
        }
    }
}
