import CPrefetch

extension PointwiseProduct {
    /// Six rows top ..< top + 6 of W^T, which are six columns of W, over a chunk of W's rows
    /// (whole panels): backward's C = W^T dY, read from forward's panels.
    ///
    /// W^T's value at (top + j, m) is W's weight for row m and k = top + j, which PanelWeights
    /// keeps at panel m / 6, k = top + j, lane m % 6. So within one panel of W the 6 x 6 values
    /// a tile needs are 36 consecutive floats (a block), and the next panel's lie 6K floats on:
    /// the tile runs over W's rows six at a time, broadcasting from floats 6 apart.
    ///
    /// Why the blocks are gathered: read in place, the chunk's 43 blocks lie 6K floats apart and
    /// every strip reads them again. `init` copies them side by side once per tile row and chunk,
    /// so the strips read 6 KB in order, and asks for the next tile row's blocks, the 36 floats
    /// after each. That request is what makes the copy pay: gathering without it was slower than
    /// reading in place. Backward, alternating per pass in one process with reading in place
    /// (`bench`, medians of 30-40 passes each): ResNet-50 to layer3 0.91-0.95 of the time at 2
    /// threads (six runs), 0.84-0.94 at 1 (five runs; a sixth printed 1.08); ResNet-18 to layer3
    /// and MobileNetV2 to features.14 0.93-0.95.
    struct TransposedPanel: ProductPanel {
        /// The chunk's blocks, gathered: block p (W's rows 6p ..< 6p + 6 of the chunk) at 36 p.
        let w: UnsafePointer<Float>
        /// Rows of W in the chunk.
        let depth: Int
        /// Where row j of the tile reads, from row 0's weight: 6 j, or the last real row's
        /// again past `ends.count` (those results are not stored), so that no read passes k = K.
        let o1, o2, o3, o4, o5: Int
        let ends: PanelEnds

        /// `blocks` holds `transposedTileCount` floats for the gathered copy.
        init(panels: UnsafePointer<Float>, k: Int, depth: Range<Int>, top: Int, count: Int, accumulating: Bool,
             blocks: UnsafeMutablePointer<Float>) {
            precondition(depth.lowerBound % panelRows == 0, "chunks of W's rows start at a panel")
            Self.gather(panels + (depth.lowerBound / panelRows * k + top) * panelRows, panelStride: panelRows * k,
                        panels: (depth.count + panelRows - 1) / panelRows, floats: count * panelRows, into: blocks)
            w = UnsafePointer(blocks)
            self.depth = depth.count
            func offset(_ j: Int) -> Int { min(j, count - 1) * panelRows }
            o1 = offset(1); o2 = offset(2); o3 = offset(3); o4 = offset(4); o5 = offset(5)
            ends = PanelEnds(count: count, first: depth.lowerBound == 0 && !accumulating, last: false, lower: -.infinity, upper: .infinity)
        }

        static let blockFloats = panelRows * panelRows

        /// Copies `floats` of each of `panels` blocks (six per real row of the tile) to `blocks`,
        /// 36 floats apart, zeroing the rest of each block and 8 floats after the last, which
        /// `column`'s 8-float loads reach (garbage there could be NaN, and NaN times a cleared
        /// lane is NaN). Each block also asks for the 36 floats after it: the next tile row's block.
        /// A prefetch never faults, so it may name an address past the panels.
        @inline(__always)
        private static func gather(_ source: UnsafePointer<Float>, panelStride: Int, panels: Int, floats: Int,
                                   into blocks: UnsafeMutablePointer<Float>) {
            var from = source, to = blocks
            for _ in 0..<panels {
                let next = from + blockFloats  // 36 floats span at most four lines
                gradcam_prefetch(next); gradcam_prefetch(next + 16); gradcam_prefetch(next + 32); gradcam_prefetch(next + 35)
                if floats == blockFloats {
                    SIMDAccess.store8(SIMDAccess.load8(from), to)
                    SIMDAccess.store8(SIMDAccess.load8(from + 8), to + 8)
                    SIMDAccess.store8(SIMDAccess.load8(from + 16), to + 16)
                    SIMDAccess.store8(SIMDAccess.load8(from + 24), to + 24)
                    UnsafeMutableRawPointer(to + 32).storeBytes(of: UnsafeRawPointer(from + 32).loadUnaligned(as: SIMD4<Float>.self),
                                                                as: SIMD4<Float>.self)
                } else {
                    to.update(from: from, count: floats)
                    (to + floats).update(repeating: 0, count: blockFloats - floats)
                }
                from += panelStride
                to += blockFloats
            }
            to.update(repeating: 0, count: 8)
        }

        /// `prefetching` is not needed: the blocks were gathered, and the next row's asked for.
        @inline(__always)
        func tile(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int, prefetching: Bool) {
            var (c00, c01) = ends.start(0, y, 0, columns), (c10, c11) = ends.start(0, y + ldy, 1, columns)
            var (c20, c21) = ends.start(0, y + 2 * ldy, 2, columns), (c30, c31) = ends.start(0, y + 3 * ldy, 3, columns)
            var (c40, c41) = ends.start(0, y + 4 * ldy, 4, columns), (c50, c51) = ends.start(0, y + 5 * ldy, 5, columns)
            var xp = x, wp = w, m = 0
            while m < depth {
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
                wp += Self.blockFloats
                m += panelRows
            }
            ends.store((c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41), (c50, c51), y: y, ldy: ldy, columns: columns)
        }

        /// Six sums, eight lanes at a time: within one panel of W, tile row j's six weights (for
        /// W's rows m ..< m + 6) lie side by side at 6 j, so one load of 8 holds them and two of the
        /// next row's, which lanes 6 and 7 of the column, cleared, cancel. A scalar loop took six
        /// multiply-adds per row of W for these few columns past a share's last strip (1 of 49
        /// on a 7 x 7 plane, 4 of 100 on half of a 14 x 14 one). ResNet-50's backward to layer3
        /// (`bench`, medians of runs alternating with the scalar loop): 23.6-26.7 ms against
        /// 29.6-36.6 at 2 threads, 35.3-42.6 against 48.9-52.0 at 1.
        /// W's loads reach two floats past a block: into the next, or the zeros after the last.
        /// x's loads never pass the column: its last few floats are loaded one by one, zeros after.
        @inline(__always)
        func column(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int) {
            var t0 = SIMD8<Float>.zero, t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0
            // Clearing by bits, not by multiplying by zero, which would make NaN of an infinity.
            let sixLanes = SIMD8<UInt32>(.max, .max, .max, .max, .max, .max, 0, 0)
            var wp = w, m = 0
            while m < depth {
                let loaded = m + 8 <= depth ? SIMDAccess.load8(x + m) : SIMDAccess.load(x + m, count: depth - m)
                let v = unsafeBitCast(unsafeBitCast(loaded, to: SIMD8<UInt32>.self) & sixLanes, to: SIMD8<Float>.self)
                t0 = t0.addingProduct(SIMDAccess.load8(wp), v)
                t1 = t1.addingProduct(SIMDAccess.load8(wp + o1), v)
                t2 = t2.addingProduct(SIMDAccess.load8(wp + o2), v)
                t3 = t3.addingProduct(SIMDAccess.load8(wp + o3), v)
                t4 = t4.addingProduct(SIMDAccess.load8(wp + o4), v)
                t5 = t5.addingProduct(SIMDAccess.load8(wp + o5), v)
                wp += Self.blockFloats
                m += panelRows
            }
            ends.finish((t0.sum(), t1.sum(), t2.sum(), t3.sum(), t4.sum(), t5.sum()), bias: (0, 0, 0, 0, 0, 0), y: y, ldy: ldy)
        }
    }
}
