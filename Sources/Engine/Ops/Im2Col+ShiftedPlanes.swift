extension Im2Col {
    /// Whether forward packs PointwiseProduct's strips straight from the input (ShiftedPlanes)
    /// instead of building column rows first: stride 1, no dilation, and as many output
    /// columns as input columns (a 3x3 convolution padded by 1 each side).
    static func readsShiftedPlanes(_ g: ConvGeometry) -> Bool {
        g.strideHeight == 1 && g.strideWidth == 1 && g.dilationHeight == 1 && g.dilationWidth == 1 && g.inputWidth == g.outputWidth
    }

    /// The column rows of one tile of output rows, never built: each strip is packed from the
    /// input itself. With readsShiftedPlanes, the tile's output columns p (0..<T * OW) read,
    /// under kernel tap (i, j) of channel c, input element p + (oh0 - padTop + i) * W + j - padLeft
    /// of plane c, the plane shifted; 16 consecutive columns are 16 consecutive floats, kept
    /// where the tap lands inside the image and zero where it lands in the padding or wraps
    /// around a row's edge. Building the column rows first, 14 floats at a time, then copying
    /// them into strips again took about 8% of ResNet-50's 3x3 layers at 14 x 14 and 7 x 7
    /// (a run that skipped the build, its results wrong, took 0.92 of their time).
    ///
    /// Rows of X are c * kh * kw + i * kw + j over all the input channels, as `pack` lays out
    /// those from channel 0.
    struct ShiftedPlanes: StripSource {
        let geometry: ConvGeometry
        /// The image's input (C, H, W).
        let input: UnsafePointer<Float>
        let outputRows: Range<Int>

        init(_ g: ConvGeometry, input: UnsafePointer<Float>, outputRows: Range<Int>) {
            precondition(Im2Col.readsShiftedPlanes(g), "a stride-1 window that keeps the row width")
            geometry = g
            self.input = input
            self.outputRows = outputRows
        }

        /// Calls body(plane, i, j) for each row of X in `rows`, in order: the input plane the
        /// row reads and its kernel tap, counted up from the first row, not divided out per row.
        @inline(__always)
        private func forEachTap(_ rows: Range<Int>, _ body: (UnsafePointer<Float>, Int, Int) -> Void) {
            let g = geometry, window = g.kernelHeight * g.kernelWidth
            var plane = input + rows.lowerBound / window * g.inputPlane
            var i = rows.lowerBound % window / g.kernelWidth, j = rows.lowerBound % g.kernelWidth
            for _ in rows {
                body(plane, i, j)
                j += 1
                if j == g.kernelWidth {
                    j = 0
                    i += 1
                    if i == g.kernelHeight { i = 0; plane += g.inputPlane }
                }
            }
        }

        /// Which of the 16 lanes lie inside the image is decided once per strip, as bit masks:
        /// one per kernel row (the lane's input row is inside) and one per kernel column (its
        /// input column is inside, and the lane is one of the `count`); a row of X keeps the
        /// lanes both masks keep. (Comparing SIMD vectors per row instead compiled to one lane at
        /// a time: that first version made the 3x3 layers at 14 x 14 5.4 times slower.)
        @inline(__always)
        func packStrip(rows: Range<Int>, column: Int, count: Int, into packed: UnsafeMutablePointer<Float>) {
            let g = geometry, lanes = PointwiseProduct.stripColumns
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: lanes * (g.kernelHeight + g.kernelWidth)) { masks in
                let rowMasks = masks.baseAddress!, columnMasks = rowMasks + lanes * g.kernelHeight
                for lane in 0..<lanes {
                    let p = column + lane, oh = p / g.outputWidth + outputRows.lowerBound, ow = p % g.outputWidth
                    for i in 0..<g.kernelHeight {
                        let ih = oh + i - g.padTop
                        rowMasks[i * lanes + lane] = ih >= 0 && ih < g.inputHeight ? -1 : 0
                    }
                    for j in 0..<g.kernelWidth {
                        let iw = ow + j - g.padLeft
                        columnMasks[j * lanes + lane] = lane < count && iw >= 0 && iw < g.inputWidth ? -1 : 0
                    }
                }
                let firstRow = (outputRows.lowerBound - g.padTop) * g.inputWidth + column - g.padLeft
                var packed = packed
                forEachTap(rows) { plane, i, j in
                    let keep = Self.mask(rowMasks + i * lanes) & Self.mask(columnMasks + j * lanes)
                    let offset = firstRow + i * g.inputWidth + j
                    var bits: SIMD16<Int32>
                    if offset >= 0 && offset + lanes <= g.inputPlane {
                        bits = unsafeBitCast(SIMDAccess.load16(plane + offset), to: SIMD16<Int32>.self) & keep
                    } else {
                        // Near the plane's first or last row the 16 floats would reach outside the
                        // plane: read only the lanes inside the image.
                        bits = .zero
                        for lane in 0..<lanes where keep[lane] != 0 { bits[lane] = Int32(bitPattern: plane[offset + lane].bitPattern) }
                    }
                    let values = unsafeBitCast(bits, to: SIMD16<Float>.self)
                    SIMDAccess.store8(values.lowHalf, packed)
                    SIMDAccess.store8(values.highHalf, packed + 8)
                    packed += lanes
                }
            }
        }

        @inline(__always)
        private static func mask(_ p: UnsafePointer<Int32>) -> SIMD16<Int32> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int32>.self)
        }

        @inline(__always)
        func packColumn(rows: Range<Int>, column: Int, into packed: UnsafeMutablePointer<Float>) {
            let g = geometry
            let row = column / g.outputWidth + outputRows.lowerBound, col = column % g.outputWidth
            var packed = packed
            forEachTap(rows) { plane, i, j in
                let ih = row + i - g.padTop, iw = col + j - g.padLeft
                packed.pointee = ih >= 0 && ih < g.inputHeight && iw >= 0 && iw < g.inputWidth ? plane[ih * g.inputWidth + iw] : 0
                packed += 1
            }
        }
    }
}
