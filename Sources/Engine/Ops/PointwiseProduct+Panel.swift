import CPrefetch

/// What PointwiseProduct's loops ask of six rows of the left-hand matrix over one chunk.
protocol ProductPanel {
    /// Y[r, 0..<columns] for the panel's rows, from a packed strip of 16 columns of X
    /// (columns <= 16); `prefetching` on the first strip of each panel.
    func tile(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int, prefetching: Bool)
    /// One column of Y for the panel's rows, from one column of X stored with k contiguous.
    func column(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int)
}

extension PointwiseProduct {
    /// Six rows of W over one chunk of k (forward), with their bias and the clamp bounds.
    struct Panel: ProductPanel {
        /// The panel's six weights for the chunk's first k; the next k's six follow.
        let w: UnsafePointer<Float>
        /// Floats from the panel to the same k of the next panel, 0 if there is none.
        let prefetchDistance: Int
        /// Rows past `ends.count` are the panel's zero rows: their results are not stored.
        let bias: (Float, Float, Float, Float, Float, Float)
        let depth: Int
        let ends: PanelEnds

        init(panels: UnsafePointer<Float>, k: Int, depth: Range<Int>, top: Int, count: Int, hasNext: Bool, bias b: [Float]?,
             lower: Float, upper: Float, residualOffset: Int? = nil) {
            w = panels + (top / panelRows * k + depth.lowerBound) * panelRows
            prefetchDistance = hasNext ? panelRows * k : 0
            func value(_ r: Int) -> Float { r < count ? b?[top + r] ?? 0 : 0 }
            bias = (value(0), value(1), value(2), value(3), value(4), value(5))
            self.depth = depth.count
            ends = PanelEnds(count: count, first: depth.lowerBound == 0, last: depth.upperBound == k, lower: lower, upper: upper,
                             residualOffset: residualOffset)
        }

        /// With `prefetching`, every 16 k also asks for the next panel's six lines at those k.
        /// Where a panel serves few columns (7 x 7 and 14 x 14 planes), part of the time goes to
        /// waiting for W, which comes from memory once per pass. Alternating per pass in one
        /// process (`bench`, before and after, with W still row-major): EfficientNet-Lite0 0.95,
        /// MobileNetV2 0.96-0.97, ResNet-50 0.98 of the time.
        @inline(__always)
        func tile(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int, prefetching: Bool) {
            var (c00, c01) = ends.start(bias.0, y, 0, columns), (c10, c11) = ends.start(bias.1, y + ldy, 1, columns)
            var (c20, c21) = ends.start(bias.2, y + 2 * ldy, 2, columns), (c30, c31) = ends.start(bias.3, y + 3 * ldy, 3, columns)
            var (c40, c41) = ends.start(bias.4, y + 4 * ldy, 4, columns), (c50, c51) = ends.start(bias.5, y + 5 * ldy, 5, columns)
            if ends.last, let residualOffset = ends.residualOffset {
                // The residual was written long before (a block's input): ask for this tile's
                // rows now, so they are in L1 when the sums end. ResNet-50, the sum of each
                // layer's best pass at 1 thread, fused over unfused: 0.998 without this, 0.982 with.
                let residual = UnsafePointer(y) + residualOffset
                for r in 0..<ends.count {
                    gradcam_prefetch(residual + r * ldy); gradcam_prefetch(residual + r * ldy + 15)
                }
            }
            let prefetchAhead = prefetching ? prefetchDistance : 0
            var xp = x, wp = w
            var i = 0
            while i < depth {
                let end = min(depth, i &+ 16)
                if prefetchAhead != 0 {
                    let ahead = wp + prefetchAhead  // 16 k of six rows: 96 floats, six lines
                    gradcam_prefetch(ahead); gradcam_prefetch(ahead + 16); gradcam_prefetch(ahead + 32)
                    gradcam_prefetch(ahead + 48); gradcam_prefetch(ahead + 64); gradcam_prefetch(ahead + 80)
                }
                while i < end {
                    let b0 = SIMDAccess.load8(xp), b1 = SIMDAccess.load8(xp + 8)
                    var a = SIMD8(repeating: wp[0]); c00 = c00.addingProduct(a, b0); c01 = c01.addingProduct(a, b1)
                    a = SIMD8(repeating: wp[1]); c10 = c10.addingProduct(a, b0); c11 = c11.addingProduct(a, b1)
                    a = SIMD8(repeating: wp[2]); c20 = c20.addingProduct(a, b0); c21 = c21.addingProduct(a, b1)
                    a = SIMD8(repeating: wp[3]); c30 = c30.addingProduct(a, b0); c31 = c31.addingProduct(a, b1)
                    a = SIMD8(repeating: wp[4]); c40 = c40.addingProduct(a, b0); c41 = c41.addingProduct(a, b1)
                    a = SIMD8(repeating: wp[5]); c50 = c50.addingProduct(a, b0); c51 = c51.addingProduct(a, b1)
                    xp += stripColumns
                    wp += panelRows
                    i &+= 1
                }
            }
            ends.store((c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41), (c50, c51), y: y, ldy: ldy, columns: columns)
        }

        /// Lane r of an 8-float load at the panel's k is row r's weight (lanes 6 and 7 hold the
        /// next k's first two, whose products are dropped), times X's value at k broadcast;
        /// four k at a time in separate sums.
        @inline(__always)
        func column(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int) {
            var s0 = SIMD8<Float>(), s1 = s0, s2 = s0, s3 = s0
            var wp = w, i = 0
            while i + 4 <= depth {
                s0 = s0.addingProduct(SIMDAccess.load8(wp), SIMD8(repeating: x[i]))
                s1 = s1.addingProduct(SIMDAccess.load8(wp + panelRows), SIMD8(repeating: x[i + 1]))
                s2 = s2.addingProduct(SIMDAccess.load8(wp + 2 * panelRows), SIMD8(repeating: x[i + 2]))
                s3 = s3.addingProduct(SIMDAccess.load8(wp + 3 * panelRows), SIMD8(repeating: x[i + 3]))
                wp += 4 * panelRows
                i += 4
            }
            while i < depth {
                s0 = s0.addingProduct(SIMDAccess.load8(wp), SIMD8(repeating: x[i]))
                wp += panelRows
                i += 1
            }
            let t = (s0 + s1) + (s2 + s3)
            ends.finish((t[0], t[1], t[2], t[3], t[4], t[5]), bias: bias, y: y, ldy: ldy)
        }
    }

    /// How a panel's sums begin and end for one chunk: from the bias (first chunk) or the
    /// partial sums in Y, and after the last chunk plus the residual, if any, then clamped;
    /// only the first `count` rows are stored.
    struct PanelEnds {
        let count: Int
        let first: Bool, last: Bool
        let lower: Float, upper: Float
        /// Floats from an element of Y to the same element of the residual; nil without one.
        var residualOffset: Int? = nil

        /// Row r's accumulators before a chunk: its bias, or the partial sums in Y.
        @inline(__always)
        func start(_ bias: Float, _ y: UnsafeMutablePointer<Float>, _ r: Int, _ columns: Int) -> (SIMD8<Float>, SIMD8<Float>) {
            if first || r >= count { return (SIMD8(repeating: bias), SIMD8(repeating: bias)) }
            if columns == 16 { return (SIMDAccess.load8(y), SIMDAccess.load8(y + 8)) }
            return (SIMDAccess.load(y, count: min(columns, 8)), columns > 8 ? SIMDAccess.load(y + 8, count: columns - 8) : .zero)
        }

        typealias Row = (SIMD8<Float>, SIMD8<Float>)

        /// The first `count` rows of a tile, clamped after the last chunk.
        @inline(__always)
        func store(_ r0: Row, _ r1: Row, _ r2: Row, _ r3: Row, _ r4: Row, _ r5: Row, y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int) {
            store(r0, y, columns)
            if count > 1 { store(r1, y + ldy, columns) }
            if count > 2 { store(r2, y + 2 * ldy, columns) }
            if count > 3 { store(r3, y + 3 * ldy, columns) }
            if count > 4 { store(r4, y + 4 * ldy, columns) }
            if count > 5 { store(r5, y + 5 * ldy, columns) }
        }

        @inline(__always)
        private func store(_ row: Row, _ y: UnsafeMutablePointer<Float>, _ columns: Int) {
            var row = row
            if last, let residualOffset {
                let residual = UnsafePointer(y) + residualOffset
                if columns == 16 {
                    row.0 += SIMDAccess.load8(residual)
                    row.1 += SIMDAccess.load8(residual + 8)
                } else {
                    row.0 += SIMDAccess.load(residual, count: min(columns, 8))
                    if columns > 8 { row.1 += SIMDAccess.load(residual + 8, count: columns - 8) }
                }
            }
            let l = last ? FusedClamp.clamp(row.0, lower: lower, upper: upper) : row.0
            let r = last ? FusedClamp.clamp(row.1, lower: lower, upper: upper) : row.1
            if columns == 16 {
                SIMDAccess.store8(l, y)
                SIMDAccess.store8(r, y + 8)
            } else {
                SIMDAccess.store(l, y, count: min(columns, 8))
                if columns > 8 { SIMDAccess.store(r, y + 8, count: columns - 8) }
            }
        }

        /// A dot column's six sums: y = sum plus the bias (first chunk) or the partial sum in
        /// y, after the last chunk plus the residual and clamped as FusedClamp.clamp does lane
        /// by lane (NaN stays NaN).
        @inline(__always)
        func finish(_ sums: (Float, Float, Float, Float, Float, Float), bias: (Float, Float, Float, Float, Float, Float),
                    y: UnsafeMutablePointer<Float>, ldy: Int) {
            finish(sums.0, bias.0, y)
            if count > 1 { finish(sums.1, bias.1, y + ldy) }
            if count > 2 { finish(sums.2, bias.2, y + 2 * ldy) }
            if count > 3 { finish(sums.3, bias.3, y + 3 * ldy) }
            if count > 4 { finish(sums.4, bias.4, y + 4 * ldy) }
            if count > 5 { finish(sums.5, bias.5, y + 5 * ldy) }
        }

        @inline(__always)
        private func finish(_ sum: Float, _ bias: Float, _ y: UnsafeMutablePointer<Float>) {
            var value = (first ? bias : y.pointee) + sum
            if last, let residualOffset { value += (UnsafePointer(y) + residualOffset).pointee }
            y.pointee = last ? (value < lower ? lower : value > upper ? upper : value) : value
        }
    }
}
