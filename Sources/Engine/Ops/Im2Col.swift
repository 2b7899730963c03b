/// im2col and its adjoint col2im for one image, one group and one tile of output rows.
///
/// Column layout: row r = (c * kh + i) * kw + j, column p = (oh - oh0) * OW + ow for the
/// tile's output rows oh0..<oh1, so that weight (M/g, C/g*kh*kw) x columns (C/g*kh*kw, T * OW)
/// is the convolution's output for those rows. Tiles keep the column matrix small (it would be
/// 7 MB for a ResNet stem at full size) and in cache while a product reads it, and they are the
/// unit that threads share. Forward builds a tile's rows a few input channels at a time
/// (`firstChannel`), or not at all where the window keeps the row width at stride 1
/// (Im2Col+ShiftedPlanes.swift); backward and grouped convolutions build or read them whole.
enum Im2Col {
    /// Tiles of output rows: about 256 columns or more each (narrower sgemm calls lose speed)
    /// unless the plane is smaller, in a count that is a multiple of `threads`.
    static func tiles(_ g: ConvGeometry, threads: Int) -> RowBlocks {
        RowBlocks(rows: g.outputHeight, limit: (256 + g.outputWidth - 1) / g.outputWidth, threads: threads)
    }

    /// Columns of the largest tile (one thread's tiling, the largest of any).
    static func widestTile(_ g: ConvGeometry) -> Int { tiles(g, threads: 1).largest * g.outputWidth }

    /// Floats of one tile's column matrix at the largest tile.
    static func scratchCount(_ g: ConvGeometry) -> Int { g.columnRows * widestTile(g) }

    /// input (C/g, H, W) -> columns (C/g * kh * kw, T * OW) for output rows `outputRows`: the
    /// column rows of input channels `channels` (each writes its own rows, so threads can share).
    /// `columns` starts at the first column row of input channel `firstChannel`, so that a part
    /// of the matrix, channels firstChannel..., can be built alone.
    static func pack(_ g: ConvGeometry, channels: Range<Int>, outputRows: Range<Int>, input: UnsafePointer<Float>,
                     columns: UnsafeMutablePointer<Float>, firstChannel: Int = 0) {
        forEachColumnRow(g, channels: channels, outputRows: outputRows, firstChannel: firstChannel) { plane, column, inputRow, run in
            let dst = columns + column
            guard let inputRow else {  // the whole row lies in the top or bottom padding
                dst.update(repeating: 0, count: g.outputWidth)
                return
            }
            let src = input + plane + inputRow * g.inputWidth + run.offset
            let end = run.start + run.count
            dst.update(repeating: 0, count: run.start)
            if g.strideWidth == 1 {
                (dst + run.start).update(from: src + run.start, count: run.count)
            } else if g.strideWidth == 2 {
                copyEven(src + 2 * run.start, count: run.count, to: dst + run.start)
            } else {
                var from = src + run.start * g.strideWidth
                for ow in run.start..<end { dst[ow] = from.pointee; from += g.strideWidth }
            }
            (dst + end).update(repeating: 0, count: g.outputWidth - end)
        }
    }

    /// to[i] = from[2 i] for i in 0..<count: eight at a time from sixteen loaded floats (the
    /// stride-2 columns of a ResNet stem and its downsampling convolutions), where a scalar
    /// copy took 45% of im2col's forward time in perf. The vector loop runs only while its
    /// sixteen-float load stays within the 2 count - 1 floats the copy reads: the input may end
    /// right after the last one.
    @inline(__always)
    private static func copyEven(_ from: UnsafePointer<Float>, count: Int, to: UnsafeMutablePointer<Float>) {
        var i = 0
        while i + 9 <= count {
            SIMDAccess.store8(SIMDAccess.load16(from + 2 * i).evenHalf, to + i)
            i += 8
        }
        while i < count { to[i] = from[2 * i]; i += 1 }
    }

    /// columns (C/g * kh * kw, T * OW) of output rows `outputRows` -> input gradient (C/g, H, W),
    /// accumulated with +=, for input channels `channels` (each owns its plane of the gradient,
    /// so threads can share the work).
    static func unpackAdding(_ g: ConvGeometry, channels: Range<Int>, outputRows: Range<Int>,
                             columns: UnsafePointer<Float>, into input: UnsafeMutablePointer<Float>) {
        forEachColumnRow(g, channels: channels, outputRows: outputRows) { plane, column, inputRow, run in
            guard let inputRow else { return }  // padding receives no gradient
            let dst = input + plane + inputRow * g.inputWidth + run.offset, src = columns + column
            for ow in run.start..<(run.start + run.count) { dst[ow * g.strideWidth] += src[ow] }
        }
    }

    /// Walks the column matrix one output row (oh) at a time: the offset of the input plane,
    /// the offset of the row in the column matrix, the input row it reads (nil inside the
    /// vertical padding) and the run of output columns whose input column is inside the image.
    private static func forEachColumnRow(_ g: ConvGeometry, channels: Range<Int>, outputRows: Range<Int>, firstChannel: Int = 0,
                                         _ body: (Int, Int, Int?, ConvGeometry.ColumnRun) -> Void) {
        let runs = (0..<g.kernelWidth).map { g.columnRun(kernelColumn: $0) }
        var row = (channels.lowerBound - firstChannel) * g.kernelHeight * g.kernelWidth
        for c in channels {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    for oh in outputRows {
                        let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight
                        body(c * g.inputPlane, (row * outputRows.count + oh - outputRows.lowerBound) * g.outputWidth,
                             ih >= 0 && ih < g.inputHeight ? ih : nil, runs[j])
                    }
                    row += 1
                }
            }
        }
    }
}
