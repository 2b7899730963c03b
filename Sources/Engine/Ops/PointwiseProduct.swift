import CPrefetch
/// The forward product of an ungrouped convolution, Y = clamp(bias + W X), in place of sgemm:
/// X is a 1x1 convolution's input plane, or im2col's column rows for the others.
///
/// weight W (M, K), input X (K, P) with row stride ldx, bias (M) -> output Y (M, P) with row stride ldy
///
/// Why not sgemm: around sgemm the bias is written into Y first and the clamp reads and writes
/// Y again after, so Y crosses the cache three times; with few input channels (16 -> 96 at
/// 112 x 112) those passes cost more than the multiplies. Here a 6 x 16 tile of Y stays in
/// twelve AVX registers from its bias to its clamp and is stored once. W is read where the model
/// holds it (six rows at a time, contiguous in k), not copied per call as sgemm copies its A.
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
enum PointwiseProduct {
    static let panelRows = 6
    static let stripColumns = 16
    /// Scratch per thread: one block's packed chunk of X, for at most `columns` columns. A
    /// block never holds more than chunk x blockColumns floats (see `widestBlock`), whatever
    /// the depth of the part of k a caller passes (im2col's last part may be shallower).
    static func scratchCount(k: Int, columns: Int) -> Int {
        min(chunk * blockColumns, min(k, chunk) * ((columns + stripColumns - 1) / stripColumns * stripColumns))
    }

    /// Rows `rows` (panels of 6 from rows.lowerBound, the last may be shorter) and columns
    /// `columns` of Y, summed over the k in `depth` only (all of 0..<k by default): X holds
    /// rows depth.lowerBound..<depth.upperBound. The bias enters with k = 0, the clamp after
    /// k - 1, and Y holds the partial sum in between, so a caller may produce X a part of k at
    /// a time (im2col does, keeping each part in L2).
    static func multiply(rows: Range<Int>, columns: Range<Int>, depth: Range<Int>? = nil, k: Int, weight: UnsafePointer<Float>,
                         bias: [Float]?, clamp: FusedClamp?, x: UnsafePointer<Float>, ldx: Int, y: UnsafeMutablePointer<Float>, ldy: Int,
                         scratch: UnsafeMutablePointer<Float>) {
        let part = depth ?? 0..<k
        guard !rows.isEmpty, !columns.isEmpty, !part.isEmpty else { return }
        let lower = clamp?.lower ?? -.infinity, upper = clamp?.upper ?? .infinity
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
                let x = x + (first - part.lowerBound) * ldx
                // Pack: strip s of the chunk at scratch + s * 16 * depth, row after row of 16
                // floats, the last strip zero-padded; then each dot column, k contiguous.
                for s in 0..<strips {
                    let column = block + s * stripColumns, count = min(stripColumns, blockEnd - dotColumns - column)
                    var packed = scratch + s * stripColumns * depth.count
                    var source = x + column
                    for _ in depth {
                        if count == stripColumns {
                            SIMDAccess.store8(SIMDAccess.load8(source), packed)
                            SIMDAccess.store8(SIMDAccess.load8(source + 8), packed + 8)
                        } else {
                            packed.update(from: source, count: count)
                            (packed + count).update(repeating: 0, count: stripColumns - count)
                        }
                        packed += stripColumns
                        source += ldx
                    }
                }
                let dotBase = scratch + strips * stripColumns * depth.count
                for j in 0..<dotColumns {
                    let packed = dotBase + j * depth.count, source = x + blockEnd - dotColumns + j
                    for i in 0..<depth.count { packed[i] = source[i * ldx] }
                }
                for top in stride(from: rows.lowerBound, to: rows.upperBound, by: panelRows) {
                    let panel = Panel(weight: weight, k: k, depth: depth, top: top, count: min(panelRows, rows.upperBound - top),
                                      bias: bias, lower: lower, upper: upper)
                    // While the first strip runs, the next panel's rows of W are fetched (see `tile`).
                    let nextPanel = top + panelRows < rows.upperBound ? panelRows * k : 0
                    for s in 0..<strips {
                        let column = block + s * stripColumns
                        panel.tile(x: scratch + s * stripColumns * depth.count, ldx: stripColumns, y: y + top * ldy + column, ldy: ldy,
                                   columns: min(stripColumns, blockEnd - dotColumns - column), prefetchAhead: s == 0 ? nextPanel : 0)
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

    /// A block's packed chunk holds at most chunk x blockColumns floats (256 KB, in L2).
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

    /// Up to six rows of W over one chunk of k, with their bias and the clamp bounds.
    private struct Panel {
        /// Row r of W at the chunk's first k, or the panel's last row again past `count` (its
        /// results are not stored).
        let w0, w1, w2, w3, w4, w5: UnsafePointer<Float>
        let bias: (Float, Float, Float, Float, Float, Float)
        let count: Int, depth: Int
        /// The first chunk starts from the bias, later ones from Y; only the last one clamps.
        let first: Bool, last: Bool
        let lower: Float, upper: Float

        init(weight: UnsafePointer<Float>, k: Int, depth: Range<Int>, top: Int, count: Int, bias b: [Float]?, lower: Float, upper: Float) {
            func row(_ r: Int) -> UnsafePointer<Float> { weight + (top + min(r, count - 1)) * k + depth.lowerBound }
            w0 = row(0); w1 = row(1); w2 = row(2); w3 = row(3); w4 = row(4); w5 = row(5)
            func value(_ r: Int) -> Float { b?[top + min(r, count - 1)] ?? 0 }
            bias = (value(0), value(1), value(2), value(3), value(4), value(5))
            self.count = count
            self.depth = depth.count
            first = depth.lowerBound == 0
            last = depth.upperBound == k
            self.lower = lower
            self.upper = upper
        }

        /// Y[r, 0..<columns] for the panel's rows, from 16 columns of X (columns <= 16).
        ///
        /// With `prefetchAhead` (floats from each row of W to the same k of another panel), every
        /// 16 k also asks for that panel's next cache line of each row. Where a panel serves few
        /// columns (7 x 7 and 14 x 14 planes), part of the time goes to waiting for W, which
        /// comes from memory once per pass in runs of a few hundred floats per row, too short for
        /// the hardware prefetcher to catch up on. Alternating per pass in one process (`bench`,
        /// before and after): EfficientNet-Lite0 0.95, MobileNetV2 0.96-0.97, ResNet-50 0.98 of
        /// the time.
        @inline(__always)
        func tile(x: UnsafePointer<Float>, ldx: Int, y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int, prefetchAhead: Int = 0) {
            var (c00, c01) = start(bias.0, y, 0, columns), (c10, c11) = start(bias.1, y + ldy, 1, columns)
            var (c20, c21) = start(bias.2, y + 2 * ldy, 2, columns), (c30, c31) = start(bias.3, y + 3 * ldy, 3, columns)
            var (c40, c41) = start(bias.4, y + 4 * ldy, 4, columns), (c50, c51) = start(bias.5, y + 5 * ldy, 5, columns)
            var xp = x
            var i = 0
            while i < depth {
                let end = min(depth, i &+ 16)
                if prefetchAhead != 0 {
                    gradcam_prefetch(w0 + prefetchAhead + i); gradcam_prefetch(w1 + prefetchAhead + i); gradcam_prefetch(w2 + prefetchAhead + i)
                    gradcam_prefetch(w3 + prefetchAhead + i); gradcam_prefetch(w4 + prefetchAhead + i); gradcam_prefetch(w5 + prefetchAhead + i)
                }
                while i < end {
                    let b0 = SIMDAccess.load8(xp), b1 = SIMDAccess.load8(xp + 8)
                    var a = SIMD8(repeating: w0[i]); c00 = c00.addingProduct(a, b0); c01 = c01.addingProduct(a, b1)
                    a = SIMD8(repeating: w1[i]); c10 = c10.addingProduct(a, b0); c11 = c11.addingProduct(a, b1)
                    a = SIMD8(repeating: w2[i]); c20 = c20.addingProduct(a, b0); c21 = c21.addingProduct(a, b1)
                    a = SIMD8(repeating: w3[i]); c30 = c30.addingProduct(a, b0); c31 = c31.addingProduct(a, b1)
                    a = SIMD8(repeating: w4[i]); c40 = c40.addingProduct(a, b0); c41 = c41.addingProduct(a, b1)
                    a = SIMD8(repeating: w5[i]); c50 = c50.addingProduct(a, b0); c51 = c51.addingProduct(a, b1)
                    xp += ldx
                    i &+= 1
                }
            }
            store(c00, c01, y, columns)
            if count > 1 { store(c10, c11, y + ldy, columns) }
            if count > 2 { store(c20, c21, y + 2 * ldy, columns) }
            if count > 3 { store(c30, c31, y + 3 * ldy, columns) }
            if count > 4 { store(c40, c41, y + 4 * ldy, columns) }
            if count > 5 { store(c50, c51, y + 5 * ldy, columns) }
        }

        /// One column of Y for the panel's rows, from one column of X stored with k contiguous:
        /// six dot products along k, eight k at a time.
        @inline(__always)
        func column(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int) {
            var s0 = SIMD8<Float>(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0
            var i = 0
            while i + 8 <= depth {
                let v = SIMDAccess.load8(x + i)
                s0 = s0.addingProduct(SIMDAccess.load8(w0 + i), v); s1 = s1.addingProduct(SIMDAccess.load8(w1 + i), v)
                s2 = s2.addingProduct(SIMDAccess.load8(w2 + i), v); s3 = s3.addingProduct(SIMDAccess.load8(w3 + i), v)
                s4 = s4.addingProduct(SIMDAccess.load8(w4 + i), v); s5 = s5.addingProduct(SIMDAccess.load8(w5 + i), v)
                i += 8
            }
            var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum(), t4 = s4.sum(), t5 = s5.sum()
            while i < depth {
                let v = x[i]
                t0 += w0[i] * v; t1 += w1[i] * v; t2 += w2[i] * v; t3 += w3[i] * v; t4 += w4[i] * v; t5 += w5[i] * v
                i += 1
            }
            finish(t0, bias.0, y)
            if count > 1 { finish(t1, bias.1, y + ldy) }
            if count > 2 { finish(t2, bias.2, y + 2 * ldy) }
            if count > 3 { finish(t3, bias.3, y + 3 * ldy) }
            if count > 4 { finish(t4, bias.4, y + 4 * ldy) }
            if count > 5 { finish(t5, bias.5, y + 5 * ldy) }
        }

        /// y = sum plus the bias (first chunk) or the partial sum in y, clamped after the last
        /// chunk as FusedClamp.clamp does lane by lane (NaN stays NaN).
        @inline(__always)
        private func finish(_ sum: Float, _ bias: Float, _ y: UnsafeMutablePointer<Float>) {
            let value = (first ? bias : y.pointee) + sum
            y.pointee = last ? (value < lower ? lower : value > upper ? upper : value) : value
        }

        /// Row r's accumulators before a chunk: its bias, or the partial sums in Y.
        @inline(__always)
        private func start(_ bias: Float, _ y: UnsafeMutablePointer<Float>, _ r: Int, _ columns: Int) -> (SIMD8<Float>, SIMD8<Float>) {
            if first || r >= count { return (SIMD8(repeating: bias), SIMD8(repeating: bias)) }
            if columns == 16 { return (SIMDAccess.load8(y), SIMDAccess.load8(y + 8)) }
            return (SIMDAccess.load(y, count: min(columns, 8)), columns > 8 ? SIMDAccess.load(y + 8, count: columns - 8) : .zero)
        }

        @inline(__always)
        private func store(_ left: SIMD8<Float>, _ right: SIMD8<Float>, _ y: UnsafeMutablePointer<Float>, _ columns: Int) {
            let l = last ? FusedClamp.clamp(left, lower: lower, upper: upper) : left
            let r = last ? FusedClamp.clamp(right, lower: lower, upper: upper) : right
            if columns == 16 {
                SIMDAccess.store8(l, y)
                SIMDAccess.store8(r, y + 8)
            } else {
                SIMDAccess.store(l, y, count: min(columns, 8))
                if columns > 8 { SIMDAccess.store(r, y + 8, count: columns - 8) }
            }
        }
    }
}

