import Dispatch

/// How many threads one Session may spread a single operator over.
///
/// A caller that runs one image at a time on an idle machine (`bench --threads`) gives its
/// session several, and the big kernels (convolutions) split their output among them. The
/// service's workers, one per core, each get as many but share the cores (SharedCores): each
/// operator takes only the threads its job's share allows, one each when every worker is busy.
public struct Parallelism: Sendable {
    public let threads: Int
    /// The Session's helper threads; without them (operator tests) pieces go to Dispatch.
    let team: ThreadTeam?
    /// The cores this session shares with other workers' sessions, if it shares them, and
    /// whether its current job may borrow them.
    let lease: CoreLease?
    public static let serial = Parallelism(threads: 1)

    public init(threads: Int) {
        self.threads = max(1, threads)
        team = nil
        lease = nil
    }

    init(team: ThreadTeam, lease: CoreLease? = nil, threads: Int? = nil) {
        self.threads = threads ?? team.helpers + 1
        self.team = team
        self.lease = lease
    }

    /// What the next operator may use: all the threads, or as many as its share of the
    /// shared cores allows (SharedCores). Fixed for the operator, which sizes its pieces by it.
    func forNextOperator() -> Parallelism {
        guard let lease, let team else { return self }
        let allowed = lease.mayBorrow ? lease.cores.threads(limit: threads) : 1
        if allowed == threads { return self }
        return allowed == 1 ? .serial : Parallelism(team: team, threads: allowed)
    }

    /// Whether `columns` output columns are too few to share among the threads (under 64 each):
    /// a narrow product runs slower (sgemm on 25 columns ran at 80% of its speed on 49), and
    /// every thread would read every weight. Convolutions then share output channels (forward)
    /// or column rows (backward).
    func tooFewToShare(columns: Int) -> Bool { columns < 64 * threads }

    /// Whether a product Y (M x P) = W (M x K) X (K x P) whose X is packed straight from memory
    /// (PointwiseProduct) is better shared by output channels M than by columns P: when the
    /// columns are too few to share, or when W is the larger operand (M > P, K on both sides).
    /// Shared by channels, each thread streams its part of W once and packs all of X; by
    /// columns, each streams all of W and packs its part of X. At 2 threads, alternating per run
    /// (`bench --profile`, best pass of 20, three pairs): EfficientNet-Lite0's 14 x 14 layers
    /// with 480 or 672 output channels 0.90-0.96 of their time, MobileNetV2's with 384 or 576
    /// 0.94-1.00 (two calm pairs); ResNet-50's 1x1 layers at 14 x 14 0.94-0.98 in the calm pair
    /// and its 3x3 ones 1.02, the means of both 0.79-1.00 in all three.
    func sharesOutputChannels(_ outputChannels: Int, columns: Int) -> Bool {
        tooFewToShare(columns: columns) || outputChannels > columns
    }

    /// Runs `body(range, thread)` over contiguous pieces of 0..<count, concurrently, one per
    /// thread at most; piece boundaries are multiples of `granule`. `thread` (0..<threads)
    /// says which thread-private scratch a piece may use. With a team, each thread's piece is
    /// timed and the next split of the same kind is sized by the threads' speeds (PieceBalance).
    func forEachPiece(of count: Int, granule: Int = 1, _ body: (Range<Int>, Int) -> Void) {
        let units = (count + granule - 1) / granule
        let pieces = min(threads, units)
        guard pieces > 1 else {
            body(0..<count, 0)
            return
        }
        if let team {
            let split = PieceBalance.Split(count: count, granule: granule, pieces: pieces)
            let bounds = team.balance.cut(units: units, split: split)
            team.run { index in
                guard index < pieces else { return }
                let start = DispatchTime.now().uptimeNanoseconds
                body(min(count, bounds[index] * granule)..<min(count, bounds[index + 1] * granule), index)
                team.balance.nanoseconds[index] = DispatchTime.now().uptimeNanoseconds - start
            }
            team.balance.record(split)
            return
        }
        @Sendable func piece(_ index: Int) -> Range<Int> {
            min(count, units * index / pieces * granule)..<min(count, units * (index + 1) / pieces * granule)
        }
        withoutActuallyEscaping(body) { body in
            let shared = SharedBody(run: body)
            DispatchQueue.concurrentPerform(iterations: pieces) { index in shared.run(piece(index), index) }
        }
    }
}

/// concurrentPerform wants a @Sendable closure, and the kernels capture raw pointers. Sharing
/// them is safe here: the pieces write disjoint ranges of the output (and their own scratch),
/// only read what they share, and concurrentPerform returns after every piece has finished.
private struct SharedBody: @unchecked Sendable {
    let run: (Range<Int>, Int) -> Void
}
