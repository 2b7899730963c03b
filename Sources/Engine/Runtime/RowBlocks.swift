/// Rows (of output, or of Winograd tiles) cut into blocks for threads to share: the fewest
/// blocks of at most `limit` rows, their count rounded up to a multiple of the threads (but no
/// more blocks than rows), and sizes that differ by one row at most, so that the threads
/// finish together.
///
/// Blocks of one fixed size could not do that: 28 rows of at most 4 for 2 threads want 8
/// blocks, and 8 blocks of ceil(28 / 8) = 4 rows are 7 blocks, of which one thread ran 4 and
/// the other 3 (ResNet-50's Winograd layer at 56 x 56: the second thread's share took
/// 1.54-1.66x the first's).
struct RowBlocks: Sendable {
    let rows: Int
    let count: Int

    init(rows: Int, limit: Int, threads: Int) {
        let fewest = (rows + max(1, limit) - 1) / max(1, limit)
        let threads = max(1, threads)
        self.rows = rows
        count = rows == 0 ? 0 : max(1, min(rows, (fewest + threads - 1) / threads * threads))
    }

    /// Rows of the largest block (scratch is sized for it).
    var largest: Int { count == 0 ? 0 : (rows + count - 1) / count }

    /// The rows of block `index` (0..<count), from rows * index / count: sizes differ by one
    /// row at most, and none is empty (there are no more blocks than rows).
    func rows(ofBlock index: Int) -> Range<Int> {
        (rows * index / count)..<(rows * (index + 1) / count)
    }
}
