/// A buffer that must stay intact from time `first` through time `last` (both inclusive:
/// at the step that writes one buffer, the buffers it reads are still in use).
struct BufferLifetime: Sendable, Equatable {
    let first: Int
    let last: Int
    let floats: Int
}

/// Places buffers with known lifetimes in one arena so that buffers alive at the same time
/// never share memory, and memory freed by dead buffers is reused.
///
/// Greedy by size (Pisarchyk & Lee, "Efficient Memory Management for Deep Neural Net
/// Inference", 2020, the "greedy by size" offset strategy): the largest buffers are placed
/// first, each at the lowest offset where it overlaps no buffer already placed that is alive
/// at the same time. Placing in time order instead (best fit into freed blocks) left
/// ResNet-50's arena at 10.5 MiB where at most 6.9 MiB are ever alive at once: a block freed by
/// a big buffer was cut up by small ones, and the next big buffer went past the end. Placed
/// biggest first, the few large activations of a CNN stack on one another and the small ones
/// fill the gaps between them.
///
/// Every size is rounded up to 16 floats, so every offset stays 64-byte aligned for the
/// BLAS kernels (as when each value had its own slot).
enum ArenaAllocator {
    static let alignment = 16

    static func aligned(_ floats: Int) -> Int { (floats + alignment - 1) / alignment * alignment }

    /// The offset of each buffer, in the order given, and the arena's size in floats.
    static func place(_ buffers: [BufferLifetime]) -> (offsets: [Int], floats: Int) {
        var offsets = [Int](repeating: 0, count: buffers.count)
        var placed: [Int] = []  // indices of placed buffers, by ascending offset
        var end = 0
        let order = buffers.indices.sorted { (-buffers[$0].floats, buffers[$0].first, $0) < (-buffers[$1].floats, buffers[$1].first, $1) }
        for index in order {
            let buffer = buffers[index], size = aligned(buffer.floats)
            // The lowest gap between buffers alive with this one that holds it; `placed` is
            // sorted by offset, so the candidate offset only moves up.
            var offset = 0
            for other in placed where buffers[other].first <= buffer.last && buffer.first <= buffers[other].last {
                if offset + size <= offsets[other] { break }
                offset = max(offset, offsets[other] + aligned(buffers[other].floats))
            }
            offsets[index] = offset
            placed.insert(index, at: placed.firstIndex { offsets[$0] > offset } ?? placed.count)
            end = max(end, offset + size)
        }
        return (offsets, end)
    }
}

/// One arena buffer per root value (a value that owns memory; views share their root's),
/// living over its first...last time and holding the root's elements. Shared by the
/// activation and gradient memory plans, which differ only in how they count time.
struct RootPlacement {
    /// Roots in ascending order, as placed.
    let roots: [Int]
    let offsets: [Int: Int]
    let lifetimes: [Int: ClosedRange<Int>]
    let floats: Int

    init(roots: some Sequence<Int>, first: [Int: Int], last: [Int: Int], in plan: ExecutionPlan) {
        self.roots = roots.sorted()
        let buffers = self.roots.map { root in
            let start = first[root] ?? 0
            return BufferLifetime(first: start, last: max(start, last[root] ?? start), floats: plan.values[root].count)
        }
        let placed = ArenaAllocator.place(buffers)
        var offsets = [Int: Int](), lifetimes = [Int: ClosedRange<Int>]()
        for (root, (offset, buffer)) in zip(self.roots, zip(placed.offsets, buffers)) {
            offsets[root] = offset
            lifetimes[root] = buffer.first...buffer.last
        }
        self.offsets = offsets
        self.lifetimes = lifetimes
        floats = placed.floats
    }

    /// Per value of the plan, its root's entry of `table`; nil for constants, values without
    /// a placed root, and values `includes` leaves out.
    func perValue<T>(_ table: [Int: T], in plan: ExecutionPlan, includes: (Int) -> Bool = { _ in true }) -> [T?] {
        plan.values.indices.map { id in includes(id) ? plan.root(of: id).flatMap { table[$0] } : nil }
    }
}
