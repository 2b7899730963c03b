/// MaxPool and AveragePool over NCHW windows.
///
/// input (N, C, H, W) -> output (N, C, OH, OW); the geometry's channel counts are equal and
/// its groups field is unused.
struct Pool: Operator {
    enum Kind: Sendable, Equatable {
        case max
        /// count_include_pad = 1 divides by the whole window, padding included (ONNX AveragePool).
        case average(countIncludePad: Bool)
    }

    let kind: Kind
    let geometry: ConvGeometry
    /// Each output row's and column's window span, fixed by the geometry and computed once.
    private let rows: [Span], columns: [Span]
    /// The output columns a max pool computes eight at a time (`vectorColumns(_:)`), also fixed.
    private let vectorColumns: Range<Int>

    /// `padEndHeight`, `padEndWidth`: bottom and right pads, where the divisor of a
    /// count_include_pad window stops.
    init(kind: Kind, geometry g: ConvGeometry, padEndHeight: Int = 0, padEndWidth: Int = 0) {
        self.kind = kind
        geometry = g
        rows = Pool.spans(outputs: g.outputHeight, input: g.inputHeight, kernel: g.kernelHeight, stride: g.strideHeight,
                          dilation: g.dilationHeight, padBegin: g.padTop, padEnd: padEndHeight)
        columns = Pool.spans(outputs: g.outputWidth, input: g.inputWidth, kernel: g.kernelWidth, stride: g.strideWidth,
                             dilation: g.dilationWidth, padBegin: g.padLeft, padEnd: padEndWidth)
        vectorColumns = kind == .max ? Pool.vectorColumns(g) : 0..<0
    }

    func forward(_ io: StepIO) {
        let g = geometry, x = io.input(0), y = io.output
        io.parallelism.forEachPiece(of: g.batch * g.inputChannels) { planes, _ in
            for plane in planes {
                let src = x + plane * g.inputPlane, dst = y + plane * g.outputPlane
                for (oh, r) in rows.enumerated() {
                    let out = dst + oh * g.outputWidth
                    if !vectorColumns.isEmpty { maxOfThreeColumnsStride2(src, r, columns: vectorColumns, into: out) }
                    for ow in 0..<vectorColumns.lowerBound { out[ow] = window(src, r, columns[ow]) }
                    for ow in vectorColumns.upperBound..<g.outputWidth { out[ow] = window(src, r, columns[ow]) }
                }
            }
        }
    }

    /// One output of the pool from its window.
    @inline(__always)
    private func window(_ src: UnsafePointer<Float>, _ r: Span, _ c: Span) -> Float {
        kind == .max ? fold(src, r, c, -Float.infinity, Swift.max) : fold(src, r, c, 0, +) / Float(divisor(r, c))
    }

    /// The output columns that the 3-wide, stride-2 max pool (ResNet's stem: 3x3, stride 2, pad 1)
    /// computes eight at a time: those whose group of eight (or the last group, moved left to end
    /// at the range's end) reads only inside the row. Empty for other pools. The columns outside
    /// (the first, whose window starts in the left padding) are computed one by one.
    private static func vectorColumns(_ g: ConvGeometry) -> Range<Int> {
        guard g.kernelWidth == 3, g.strideWidth == 2, g.dilationWidth == 1, g.dilationHeight == 1 else { return 0..<0 }
        // Output ow reads input columns 2ow - padLeft ... + 2; a group from ow reads 17 floats,
        // up to column 2ow - padLeft + 16.
        let first = (g.padLeft + 1) / 2, lastStart = (g.inputWidth - 17 + g.padLeft) / 2
        guard g.inputWidth - 17 + g.padLeft >= 0, lastStart >= first else { return 0..<0 }
        let end = min(g.outputWidth, lastStart + 8)
        return end - first >= 8 ? first..<end : 0..<0
    }

    /// out[ow] = max over the window rows of x[2ow - padLeft ... + 2], eight outputs at a time:
    /// a 16-float load splits into the left and centre taps (even and odd lanes), the same load
    /// one float on gives the right ones (odd lanes). Each step keeps the larger as `Swift.max`
    /// does (a NaN never replaces), so the outputs equal `fold`'s. A last part group moves left
    /// to end at the range's end, recomputing a few outputs (the same values): one by one, the
    /// seven outputs right of the whole groups took more time than the groups (ResNet-18's
    /// pool, 112 x 112 -> 56 x 56, best pass at 1 thread: 0.340 ms before, 0.151-0.166 after).
    @inline(__always)
    private func maxOfThreeColumnsStride2(_ src: UnsafePointer<Float>, _ r: Span, columns: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        var ow = columns.lowerBound
        while true {
            let at = min(ow, columns.upperBound - 8)
            var best = SIMD8<Float>(repeating: -.infinity)
            var ih = r.first
            while ih <= r.last {
                let line = src + ih * geometry.inputWidth + 2 * at - geometry.padLeft
                let window = SIMDAccess.load16(line), right = SIMDAccess.load16(line + 1).oddHalf
                let left = window.evenHalf, centre = window.oddHalf
                best.replace(with: left, where: left .>= best)
                best.replace(with: centre, where: centre .>= best)
                best.replace(with: right, where: right .>= best)
                ih += r.step
            }
            SIMDAccess.store8(best, out + at)
            if at + 8 >= columns.upperBound { return }
            ow += 8
        }
    }

    /// Max: the gradient goes to the first maximum of each window (PyTorch picks the same one).
    /// Average: spread evenly over the window's divisor.
    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let g = geometry, x = io.input(0), dy = io.outputGradient
        io.parallelism.forEachPiece(of: g.batch * g.inputChannels) { planes, _ in
            for plane in planes {
                let src = x + plane * g.inputPlane, grad = dx + plane * g.inputPlane
                let gradOut = dy + plane * g.outputPlane
                for (oh, r) in rows.enumerated() {
                    for (ow, c) in columns.enumerated() {
                        let d = gradOut[oh * g.outputWidth + ow]
                        switch kind {
                        case .max:
                            var best = -Float.infinity, bestIndex = -1
                            for ih in stride(from: r.first, through: r.last, by: r.step) {
                                for iw in stride(from: c.first, through: c.last, by: c.step) where src[ih * g.inputWidth + iw] > best {
                                    best = src[ih * g.inputWidth + iw]; bestIndex = ih * g.inputWidth + iw
                                }
                            }
                            if bestIndex >= 0 { grad[bestIndex] += d }
                        case .average:
                            let share = d / Float(divisor(r, c))
                            for ih in stride(from: r.first, through: r.last, by: r.step) {
                                for iw in stride(from: c.first, through: c.last, by: c.step) { grad[ih * g.inputWidth + iw] += share }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One axis of the window of one output: input indices first, first + step, ... up to last,
    /// clipped to the input (empty when first > last); `padded` is how many positions the
    /// count_include_pad divisor counts along it.
    private struct Span { var first: Int, last: Int, step: Int, count: Int, padded: Int }

    /// The windows' spans along one axis, for every output position, so the inner loops are
    /// plain integer loops.
    private static func spans(outputs: Int, input: Int, kernel: Int, stride: Int, dilation step: Int,
                              padBegin: Int, padEnd: Int) -> [Span] {
        (0..<outputs).map { o in
            let start = o * stride - padBegin, end = start + (kernel - 1) * step
            let first = start >= 0 ? start : start + ((-start + step - 1) / step) * step
            let limit = min(end, input - 1)
            let count = limit >= first ? (limit - first) / step + 1 : 0
            // Padding counts, but a ceil_mode window's overhang past the end padding does not (PyTorch).
            let padded = (min(end, input + padEnd - 1) - start) / step + 1
            return Span(first: first, last: first + (count - 1) * step, step: step, count: count, padded: padded)
        }
    }

    /// `combine` over the window of spans r x c in plane `src`.
    @inline(__always)
    private func fold(_ src: UnsafePointer<Float>, _ r: Span, _ c: Span, _ initial: Float, _ combine: (Float, Float) -> Float) -> Float {
        var result = initial
        var ih = r.first
        while ih <= r.last {
            let line = src + ih * geometry.inputWidth
            var iw = c.first
            while iw <= c.last { result = combine(result, line[iw]); iw += c.step }
            ih += r.step
        }
        return result
    }

    private func divisor(_ r: Span, _ c: Span) -> Int {
        if case .average(true) = kind { return max(r.padded * c.padded, 1) }
        return max(r.count * c.count, 1)
    }
}

/// GlobalAveragePool and ReduceMean over (H, W): input (N, C, H, W) -> output (N, C, 1, 1)
/// (or (N, C) without keepdims: same memory).
struct GlobalAveragePool: Operator {
    let planes: Int, planeSize: Int

    func forward(_ io: StepIO) {
        let x = io.input(0), y = io.output
        let scale = 1 / Float(planeSize)
        for p in 0..<planes {
            var sum: Float = 0
            let src = x + p * planeSize
            for i in 0..<planeSize { sum += src[i] }
            y[p] = sum * scale
        }
    }

    /// Each position of a plane receives dY / Z: this 1/Z is the one in Grad-CAM's alpha (Eq. 1).
    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let dy = io.outputGradient
        let scale = 1 / Float(planeSize)
        for p in 0..<planes {
            let share = dy[p] * scale
            let dst = dx + p * planeSize
            for i in 0..<planeSize { dst[i] += share }
        }
    }
}
