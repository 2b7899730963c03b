/// im2col and its adjoint col2im for one image and one group.
///
/// Column layout: row r = (c * kh + i) * kw + j, column p = oh * OW + ow, so that
/// weight (M/g, C/g*kh*kw) x columns (C/g*kh*kw, OH*OW) is the convolution.
enum Im2Col {
    /// input (C/g, H, W) -> columns (C/g * kh * kw, OH * OW); only the rows of input channels
    /// `channels`, so threads can share the packing.
    static func pack(_ g: ConvGeometry, channels: Range<Int>? = nil, input: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        forEachColumnRow(g, channels: channels ?? 0..<g.inputChannelsPerGroup) { plane, column, inputRow, run in
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
            } else {
                for ow in run.start..<end { dst[ow] = src[ow * g.strideWidth] }
            }
            (dst + end).update(repeating: 0, count: g.outputWidth - end)
        }
    }

    /// columns (C/g * kh * kw, OH * OW) -> input gradient (C/g, H, W), accumulated with +=.
    static func unpackAdding(_ g: ConvGeometry, channels: Range<Int>? = nil, columns: UnsafePointer<Float>,
                             into input: UnsafeMutablePointer<Float>) {
        forEachColumnRow(g, channels: channels ?? 0..<g.inputChannelsPerGroup) { plane, column, inputRow, run in
            guard let inputRow else { return }  // padding receives no gradient
            let dst = input + plane + inputRow * g.inputWidth + run.offset, src = columns + column
            for ow in run.start..<(run.start + run.count) { dst[ow * g.strideWidth] += src[ow] }
        }
    }

    /// Walks the column matrix one output row (oh) at a time: the offset of the input plane,
    /// the offset of the row in the column matrix, the input row it reads (nil inside the
    /// vertical padding) and the run of output columns whose input column is inside the image.
    private static func forEachColumnRow(_ g: ConvGeometry, channels: Range<Int>,
                                         _ body: (Int, Int, Int?, ConvGeometry.ColumnRun) -> Void) {
        let runs = (0..<g.kernelWidth).map { g.columnRun(kernelColumn: $0) }
        var row = channels.lowerBound * g.kernelHeight * g.kernelWidth
        for c in channels {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    for oh in 0..<g.outputHeight {
                        let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight
                        body(c * g.inputPlane, (row * g.outputHeight + oh) * g.outputWidth,
                             ih >= 0 && ih < g.inputHeight ? ih : nil, runs[j])
                    }
                    row += 1
                }
            }
        }
    }
}
