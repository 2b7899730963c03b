/// Where PointwiseProduct's loops take the packed strips of X from: a chunk of X's rows for 16
/// columns, or for one column, laid out as the panels read them.
protocol StripSource {
    /// X's rows `rows` (counted from the first row of the caller's part) at columns
    /// column..<column + count (count <= 16) into `packed`: 16 floats per row, zeros past `count`.
    func packStrip(rows: Range<Int>, column: Int, count: Int, into packed: UnsafeMutablePointer<Float>)
    /// X's rows `rows` at one column, into `packed` with the rows contiguous.
    func packColumn(rows: Range<Int>, column: Int, into packed: UnsafeMutablePointer<Float>)
}

/// X as a matrix in memory, row stride ldx (a 1x1 convolution's input, im2col's column rows,
/// backward's dY): strips are copied as sgemm copies its B.
struct MatrixStrips: StripSource {
    let x: UnsafePointer<Float>
    let ldx: Int

    @inline(__always)
    func packStrip(rows: Range<Int>, column: Int, count: Int, into packed: UnsafeMutablePointer<Float>) {
        var packed = packed, source = x + rows.lowerBound * ldx + column
        for _ in rows {
            if count == PointwiseProduct.stripColumns {
                SIMDAccess.store8(SIMDAccess.load8(source), packed)
                SIMDAccess.store8(SIMDAccess.load8(source + 8), packed + 8)
            } else {
                packed.update(from: source, count: count)
                (packed + count).update(repeating: 0, count: PointwiseProduct.stripColumns - count)
            }
            packed += PointwiseProduct.stripColumns
            source += ldx
        }
    }

    @inline(__always)
    func packColumn(rows: Range<Int>, column: Int, into packed: UnsafeMutablePointer<Float>) {
        let source = x + rows.lowerBound * ldx + column
        for i in 0..<rows.count { packed[i] = source[i * ldx] }
    }
}
