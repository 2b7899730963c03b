import CPrefetch

extension PointwiseProduct {
    /// Six rows top ..< top + 6 of W^T, which are six columns of W, over a chunk of W's rows
    /// (whole panels): backward's C = W^T dY, read from forward's panels.
    ///
    /// W^T's value at (top + j, m) is W's weight for row m and k = top + j, which PanelWeights
    /// keeps at panel m / 6, k = top + j, lane m % 6. So within one panel of W the 6 x 6 values
    /// a tile needs are 36 consecutive floats, and the next panel's lie 6K floats on: the tile
    /// runs over W's rows six at a time, broadcasting from floats 6 apart.
    struct TransposedPanel: ProductPanel {
        /// The chunk's first panel, at k = top.
        let w: UnsafePointer<Float>
        /// Floats from one panel of W to the next (6K).
        let panelStride: Int
        /// Rows of W in the chunk.
        let depth: Int
        /// Where row j of the tile reads, from row 0's weight: 6 j, or the last real row's
        /// again past `ends.count` (those results are not stored), so that no read passes k = K.
        let o1, o2, o3, o4, o5: Int
        let ends: PanelEnds

        init(panels: UnsafePointer<Float>, k: Int, depth: Range<Int>, top: Int, count: Int, accumulating: Bool) {
            precondition(depth.lowerBound % panelRows == 0, "chunks of W's rows start at a panel")
            w = panels + (depth.lowerBound / panelRows * k + top) * panelRows
            panelStride = panelRows * k
            self.depth = depth.count
            func offset(_ j: Int) -> Int { min(j, count - 1) * panelRows }
            o1 = offset(1); o2 = offset(2); o3 = offset(3); o4 = offset(4); o5 = offset(5)
            ends = PanelEnds(count: count, first: depth.lowerBound == 0 && !accumulating, last: false, lower: -.infinity, upper: .infinity)
        }

        /// With `prefetching`, each panel of W asks for the next panel's 36 floats.
        @inline(__always)
        func tile(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int, prefetching: Bool) {
            var (c00, c01) = ends.start(0, y, 0, columns), (c10, c11) = ends.start(0, y + ldy, 1, columns)
            var (c20, c21) = ends.start(0, y + 2 * ldy, 2, columns), (c30, c31) = ends.start(0, y + 3 * ldy, 3, columns)
            var (c40, c41) = ends.start(0, y + 4 * ldy, 4, columns), (c50, c51) = ends.start(0, y + 5 * ldy, 5, columns)
            var xp = x, wp = w, m = 0
            while m < depth {
                if prefetching {
                    let ahead = wp + panelStride
                    gradcam_prefetch(ahead); gradcam_prefetch(ahead + 16); gradcam_prefetch(ahead + 32)
                }
                for r in 0..<min(panelRows, depth - m) {
                    let b0 = SIMDAccess.load8(xp), b1 = SIMDAccess.load8(xp + 8)
                    let q = wp + r
                    var a = SIMD8(repeating: q[0]); c00 = c00.addingProduct(a, b0); c01 = c01.addingProduct(a, b1)
                    a = SIMD8(repeating: q[o1]); c10 = c10.addingProduct(a, b0); c11 = c11.addingProduct(a, b1)
                    a = SIMD8(repeating: q[o2]); c20 = c20.addingProduct(a, b0); c21 = c21.addingProduct(a, b1)
                    a = SIMD8(repeating: q[o3]); c30 = c30.addingProduct(a, b0); c31 = c31.addingProduct(a, b1)
                    a = SIMD8(repeating: q[o4]); c40 = c40.addingProduct(a, b0); c41 = c41.addingProduct(a, b1)
                    a = SIMD8(repeating: q[o5]); c50 = c50.addingProduct(a, b0); c51 = c51.addingProduct(a, b1)
                    xp += stripColumns
                }
                wp += panelStride
                m += panelRows
            }
            ends.store((c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41), (c50, c51), y: y, ldy: ldy, columns: columns)
        }

        /// Six scalar sums: a row of W's six values for the tile lie 6 floats apart.
        @inline(__always)
        func column(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int) {
            var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0, t4: Float = 0, t5: Float = 0
            var wp = w, m = 0
            while m < depth {
                for r in 0..<min(panelRows, depth - m) {
                    let v = x[m + r], q = wp + r
                    t0 += q[0] * v; t1 += q[o1] * v; t2 += q[o2] * v; t3 += q[o3] * v; t4 += q[o4] * v; t5 += q[o5] * v
                }
                wp += panelStride
                m += panelRows
            }
            ends.finish((t0, t1, t2, t3, t4, t5), bias: (0, 0, 0, 0, 0, 0), y: y, ldy: ldy)
        }
    }
}
