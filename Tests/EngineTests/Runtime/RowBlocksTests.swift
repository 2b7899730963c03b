import Testing
@testable import Engine

struct RowBlocksTests {
    /// The count is the fewest blocks within the limit, rounded up to a multiple of the threads
    /// but never past the rows (28 rows, at most 10 a block, 2 threads: 4 blocks of 7).
    @Test func countIsTheFewestWithinTheLimitInAMultipleOfTheThreads() {
        #expect(RowBlocks(rows: 28, limit: 10, threads: 2).count == 4)
        #expect(RowBlocks(rows: 28, limit: 10, threads: 1).count == 3)
        #expect(RowBlocks(rows: 28, limit: 4, threads: 2).count == 8)
        #expect(RowBlocks(rows: 7, limit: 37, threads: 2).count == 2)
        #expect(RowBlocks(rows: 1, limit: 37, threads: 4).count == 1)
        #expect(RowBlocks(rows: 0, limit: 5, threads: 2).count == 0)
    }

    /// 28 rows of at most 4 for 2 threads (ResNet-50's Winograd tile rows at 56 x 56): 8 blocks
    /// of 3 or 4 rows, 14 rows for each thread's half. Blocks of a fixed 4 rows made 7 blocks,
    /// 12 rows for one thread and 16 for the other.
    @Test func eachThreadsHalfHoldsHalfTheRows() {
        let blocks = RowBlocks(rows: 28, limit: 4, threads: 2)
        let halves = [0..<4, 4..<8].map { $0.map { blocks.rows(ofBlock: $0).count }.reduce(0, +) }
        #expect(halves == [14, 14])
        #expect(blocks.largest == 4)
    }

    /// Blocks cover every row once, in order, none empty, none past the limit or `largest`,
    /// and sizes differ by one row at most.
    @Test func blocksCoverEveryRowOnceWithinTheLimit() {
        for rows in 1...60 {
            for limit in 1...12 {
                for threads in 1...4 {
                    let blocks = RowBlocks(rows: rows, limit: limit, threads: threads)
                    let ranges = (0..<blocks.count).map(blocks.rows(ofBlock:))
                    let context = "\(rows) rows, limit \(limit), \(threads) threads"
                    #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == rows, "\(context)")
                    #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "\(context)")
                    let sizes = ranges.map(\.count)
                    #expect(sizes.allSatisfy { $0 >= 1 && $0 <= limit && $0 <= blocks.largest }, "\(context)")
                    #expect(sizes.max()! - sizes.min()! <= 1, "\(context)")
                    #expect(blocks.count % threads == 0 || blocks.count == rows, "\(context)")
                    // Scratch is sized for one thread's largest block: no split for more threads exceeds it.
                    #expect(blocks.largest <= RowBlocks(rows: rows, limit: limit, threads: 1).largest, "\(context)")
                }
            }
        }
    }
}
