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
/// Buffers are placed greedily in order of `first`. Before a buffer is placed, every buffer
/// whose `last` is earlier is freed (and merged with free neighbours). The buffer then takes
/// the BEST-FIT free block, the smallest one that holds it. Best fit rather than first fit
/// because a CNN's activations come in a few sizes that recur block after block: an exact
/// or near fit leaves the big free blocks whole for the next wide layer, where first fit
/// would cut them up and push the arena's end out. If no free block fits, the buffer goes
/// at the end of the arena, extending a free block that already touches the end.
///
/// Every size is rounded up to 16 floats, so every offset stays 64-byte aligned for the
/// BLAS kernels (as when each value had its own slot).
enum ArenaAllocator {
    static let alignment = 16

    static func aligned(_ floats: Int) -> Int { (floats + alignment - 1) / alignment * alignment }

    /// The offset of each buffer, in the order given, and the arena's size in floats.
    static func place(_ buffers: [BufferLifetime]) -> (offsets: [Int], floats: Int) {
        var offsets = [Int](repeating: 0, count: buffers.count)
        var free = FreeList()
        var live: [Int] = []
        let order = buffers.indices.sorted { (buffers[$0].first, $0) < (buffers[$1].first, $1) }
        for index in order {
            let buffer = buffers[index]
            live.removeAll { other in
                guard buffers[other].last < buffer.first else { return false }
                free.release(offset: offsets[other], floats: aligned(buffers[other].floats))
                return true
            }
            offsets[index] = free.take(aligned(buffer.floats))
            live.append(index)
        }
        return (offsets, free.end)
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

/// The free blocks of a growing arena, sorted by offset and never adjacent (merged on release).
private struct FreeList {
    private var blocks: [(offset: Int, floats: Int)] = []
    /// The arena's size so far: the highest end of any block ever taken.
    private(set) var end = 0

    mutating func take(_ floats: Int) -> Int {
        let fitting = blocks.indices.filter { blocks[$0].floats >= floats }
        if let best = fitting.min(by: { blocks[$0].floats < blocks[$1].floats }) {
            let offset = blocks[best].offset
            if blocks[best].floats == floats {
                blocks.remove(at: best)
            } else {
                blocks[best] = (offset + floats, blocks[best].floats - floats)
            }
            return offset
        }
        // Nothing fits: grow the arena, starting inside a free block that reaches its end.
        if let last = blocks.last, last.offset + last.floats == end {
            blocks.removeLast()
            end = last.offset + floats
            return last.offset
        }
        defer { end += floats }
        return end
    }

    mutating func release(offset: Int, floats: Int) {
        var start = offset, size = floats
        let position = blocks.firstIndex { $0.offset > offset } ?? blocks.count
        var insertAt = position
        if position < blocks.count, blocks[position].offset == start + size {
            size += blocks[position].floats
            blocks.remove(at: position)
        }
        if position > 0, blocks[position - 1].offset + blocks[position - 1].floats == start {
            start = blocks[position - 1].offset
            size += blocks[position - 1].floats
            blocks.remove(at: position - 1)
            insertAt = position - 1
        }
        blocks.insert((start, size), at: insertAt)
    }
}
