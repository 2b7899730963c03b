/// The forward product of an ungrouped convolution, Y = clamp(bias + W X), in place of sgemm:
/// X is a 1x1 convolution's input plane, or im2col's column rows for the others. Backward's
/// dX = W^T dY runs through the same loops with W^T's panels read from W's (multiplyTransposed).
///
/// weight W (M, K) in PanelWeights' order, input X (K, P) with row stride ldx, bias (M)
/// -> output Y (M, P) with row stride ldy
///
/// Why not sgemm: around sgemm the bias is written into Y first and the clamp reads and writes
/// Y again after, so Y crosses the cache three times; with few input channels (16 -> 96 at
/// 112 x 112) those passes cost more than the multiplies. Here a 6 x 16 tile of Y stays in
/// twelve AVX registers from its bias to its clamp and is stored once. W is packed once, when
/// the model is compiled (PanelWeights), not per call as sgemm packs its A.
///
/// X is copied as sgemm copies its B: a block of up to 256 columns at a time, by chunks of 256
/// k, into strips of 16 contiguous floats per k. Read in place, X's rows lie a plane apart, so
/// every k of a strip is another cache line (often two) and another page; packed, a strip's
/// chunk is 16 KB of consecutive lines that stays in L1 beside a panel's chunk of W while the
/// panels pass over it. A block's packed chunk (256 KB) stays in L2. Y holds the partial sums
/// between chunks. One to four columns past the last whole strip (a 7 x 7 plane is 3 strips and
/// 1 column) are dot products along k instead of a zero-padded strip of 16.
///
/// Measured in one process, alternating per pass with the sgemm path (`bench --profile`,
/// EfficientNet-Lite0, 2 threads): each pointwise layer 0.72-0.96 of its sgemm time.
///
/// The panels' tiles are in PointwiseProduct+Panel.swift and PointwiseProduct+TransposedPanel.swift.
enum PointwiseProduct {
    static let panelRows = 6
    static let stripColumns = 16
    /// Scratch per thread: one block's packed chunk of X, for at most `columns` columns.
    static func scratchCount(k: Int, columns: Int) -> Int { packedCount(k: k, columns: columns, chunk: chunk) }

    /// Floats of one block's packed chunk of X in chunks of `depth` k (at least `chunk`). A block
    /// never holds more than depth x blockColumns floats (widestBlock widens the blocks only
    /// for chunks shallower than `chunk`), whatever the depth of the part of k a caller passes
    /// (im2col's last part may be shallower).
    private static func packedCount(k: Int, columns: Int, chunk depth: Int) -> Int {
        min(depth * blockColumns, min(k, depth) * ((columns + stripColumns - 1) / stripColumns * stripColumns))
    }

    /// Rows `rows` (whole panels of W, the last may be shorter) and columns
    /// `columns` of Y, summed over the k in `depth` only (all of 0..<k by default): X holds
    /// rows depth.lowerBound..<depth.upperBound. The bias enters with k = 0, the clamp after
    /// k - 1, and Y holds the partial sum in between, so a caller may produce X a part of k at
    /// a time (im2col does, keeping each part in L2). A `residual` laid out as Y (row stride
    /// ldy) is added after k - 1, before the clamp: Y = clamp(bias + W X + R), a residual block's
    /// Add (and its ReLU) in the product's last pass over Y instead of a step of their own.
    static func multiply(rows: Range<Int>, columns: Range<Int>, depth: Range<Int>? = nil, k: Int, panels: UnsafePointer<Float>,
                         bias: [Float]?, clamp: FusedClamp?, residual: UnsafePointer<Float>? = nil, x: UnsafePointer<Float>, ldx: Int,
                         y: UnsafeMutablePointer<Float>, ldy: Int, scratch: UnsafeMutablePointer<Float>) {
        let part = depth ?? 0..<k
        multiply(rows: rows, columns: columns, depth: part, k: k, panels: panels, bias: bias, clamp: clamp, residual: residual,
                 source: MatrixStrips(x: x, ldx: ldx), y: y, ldy: ldy, scratch: scratch)
    }

    /// `multiply` with X's strips packed by `source` (rows counted from depth.lowerBound)
    /// instead of copied from a matrix: Im2Col.ShiftedPlanes packs them straight from the
    /// input image.
    static func multiply<S: StripSource>(rows: Range<Int>, columns: Range<Int>, depth part: Range<Int>, k: Int, panels: UnsafePointer<Float>,
                                         bias: [Float]?, clamp: FusedClamp?, residual: UnsafePointer<Float>?, source: S,
                                         y: UnsafeMutablePointer<Float>, ldy: Int, scratch: UnsafeMutablePointer<Float>) {
        precondition(rows.lowerBound % panelRows == 0, "rows start at a panel")
        let lower = clamp?.lower ?? -.infinity, upper = clamp?.upper ?? .infinity
        let residualOffset = residual.map { $0 - UnsafePointer(y) }
        run(rows: rows, columns: columns, part: part, chunk: chunk, source: source, y: y, ldy: ldy, scratch: scratch) { top, count, depth in
            Panel(panels: panels, k: k, depth: depth, top: top, count: count, hasNext: top + panelRows < rows.upperBound,
                  bias: bias, lower: lower, upper: upper, residualOffset: residualOffset)
        }
    }

    /// Backward's product C = W^T dY (+ C when `accumulating`), read from the same panels:
    /// rows `rows` of C (any k of W) and columns `columns`, summed over all M rows of W and
    /// of dY (M, P) with row stride lddy; C (K, P) with row stride ldc. `scratch` holds
    /// transposedScratchCount floats.
    static func multiplyTransposed(rows: Range<Int>, columns: Range<Int>, m: Int, k: Int, panels: UnsafePointer<Float>,
                                   dy: UnsafePointer<Float>, lddy: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulating: Bool,
                                   scratch: UnsafeMutablePointer<Float>) {
        run(rows: rows, columns: columns, part: 0..<m, chunk: transposedChunk, source: MatrixStrips(x: dy, ldx: lddy), y: c, ldy: ldc,
            scratch: scratch + transposedTileCount) { top, count, depth in
            TransposedPanel(panels: panels, k: k, depth: depth, top: top, count: count, accumulating: accumulating, blocks: scratch)
        }
    }

    /// The blocks, chunks and packing both products share: Y's rows `rows` and columns
    /// `columns`, summed over rows `part` of X (whose strips `source` packs), `chunk` of them
    /// at a time; `panel(top, count, depth)` gives the six rows of the left-hand matrix from
    /// row `top` (`count` of them real) over one chunk.
    @inline(__always)
    private static func run<P: ProductPanel, S: StripSource>(rows: Range<Int>, columns: Range<Int>, part: Range<Int>, chunk: Int, source: S,
                                                             y: UnsafeMutablePointer<Float>, ldy: Int, scratch: UnsafeMutablePointer<Float>,
                                                             panel: (Int, Int, Range<Int>) -> P) {
        guard !rows.isEmpty, !columns.isEmpty, !part.isEmpty else { return }
        // Blocks of equal width (whole strips), at most `widestBlock`.
        let widest = widestBlock(depth: min(part.count, chunk))
        let blocks = (columns.count + widest - 1) / widest
        let width = ((columns.count + blocks - 1) / blocks + stripColumns - 1) / stripColumns * stripColumns
        for block in stride(from: columns.lowerBound, to: columns.upperBound, by: width) {
            let blockEnd = min(block + width, columns.upperBound)
            // A few columns past the last whole strip are dot products along k: a padded strip
            // would multiply 16 columns to keep 1 (a 7 x 7 plane is 3 strips and 1 column).
            let tail = (blockEnd - block) % stripColumns
            let dotColumns = tail <= dotTailLimit ? tail : 0
            let strips = (blockEnd - block - dotColumns + stripColumns - 1) / stripColumns
            // k in chunks: a panel's chunk of W (6 KB) and a packed strip (16 KB) stay in L1
            // together, the block's packed strips in L2; Y holds the partial sums between chunks.
            for first in stride(from: part.lowerBound, to: part.upperBound, by: chunk) {
                let depth = first..<min(part.upperBound, first + chunk)
                let sourceRows = (first - part.lowerBound)..<(depth.upperBound - part.lowerBound)
                // Pack: strip s of the chunk at scratch + s * 16 * depth, row after row of 16
                // floats, the last strip zero-padded; then each dot column, k contiguous.
                for s in 0..<strips {
                    let column = block + s * stripColumns
                    source.packStrip(rows: sourceRows, column: column, count: min(stripColumns, blockEnd - dotColumns - column),
                                     into: scratch + s * stripColumns * depth.count)
                }
                let dotBase = scratch + strips * stripColumns * depth.count
                for j in 0..<dotColumns {
                    source.packColumn(rows: sourceRows, column: blockEnd - dotColumns + j, into: dotBase + j * depth.count)
                }
                for top in stride(from: rows.lowerBound, to: rows.upperBound, by: panelRows) {
                    let panel = panel(top, min(panelRows, rows.upperBound - top), depth)
                    // While the first strip runs, the weights needed next are fetched (see `tile`).
                    for s in 0..<strips {
                        let column = block + s * stripColumns
                        panel.tile(x: scratch + s * stripColumns * depth.count, y: y + top * ldy + column, ldy: ldy,
                                   columns: min(stripColumns, blockEnd - dotColumns - column), prefetching: s == 0)
                    }
                    for j in 0..<dotColumns {
                        panel.column(x: dotBase + j * depth.count, y: y + top * ldy + blockEnd - dotColumns + j, ldy: ldy)
                    }
                }
            }
        }
    }

    /// Most columns past the last whole strip computed as dot products (each costs about a
    /// sixteenth of a strip's multiplies, at a lower rate).
    static let dotTailLimit = 4

    /// A block's packed chunk holds at most chunk x blockColumns floats (256 KB, in L2; 258 KB for
    /// backward's chunks of transposedChunk rows).
    static let blockColumns = 256

    /// Widest block of columns for chunks of `depth` k: 256 columns from k = 256 on, wider for
    /// fewer k (4096 at k = 16) within the same 256 KB, so that the layers with few input
    /// channels, on the largest planes, read each row of X and write each row of Y in longer
    /// runs. Forward pass, alternating per pass in one process, at 1 thread (the service's
    /// workers): MobileNetV2 0.98, EfficientNet-Lite0 0.99, ResNet-18 0.95-0.99, ResNet-50
    /// 0.98-1.01; at 2 threads 0.98-1.01.
    static func widestBlock(depth: Int) -> Int {
        max(blockColumns, chunk * blockColumns / max(1, depth) / stripColumns * stripColumns)
    }

    /// Depth of one chunk of k.
    static let chunk = 256

    /// Depth of one chunk of backward's product, over rows of W: whole panels, 43 of them, so
    /// that 512 rows (ResNet's layer4) are two chunks (258 + 254), not three (252 + 252 + 8),
    /// and 2048 are eight, not nine: each chunk loads and stores C's tiles and gathers their
    /// weights once. ResNet-50's backward to layer3, alternating per pass in one process with
    /// chunks of 252 (`bench`, medians of 30 passes): 0.977-0.984 of the time at 2 threads,
    /// 0.976-0.997 at 1 (three runs each).
    static let transposedChunk = 258

    /// Scratch per thread of multiplyTransposed: a tile's gathered weights, then what `run` packs.
    static func transposedScratchCount(m: Int, columns: Int) -> Int {
        transposedTileCount + packedCount(k: m, columns: columns, chunk: transposedChunk)
    }

    /// Floats of a tile's gathered weights over one chunk (TransposedPanel.gather).
    static let transposedTileCount = transposedChunk / panelRows * TransposedPanel.blockFloats + 8

}
