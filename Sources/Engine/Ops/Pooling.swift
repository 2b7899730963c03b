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
    /// Bottom and right pads: the divisor of count_include_pad windows stops at them.
    var padEndHeight = 0, padEndWidth = 0

    func forward(_ io: StepIO) {
        let g = geometry, x = io.input(0), y = io.output
        for plane in 0..<(g.batch * g.inputChannels) {
            let src = x + plane * g.inputPlane, dst = y + plane * g.outputPlane
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    dst[oh * g.outputWidth + ow] = reduce(window(oh, ow), src)
                }
            }
        }
    }

    /// Max: the gradient goes to the first maximum of each window (PyTorch picks the same one).
    /// Average: spread evenly over the window's divisor.
    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let g = geometry, x = io.input(0), dy = io.outputGradient
        for plane in 0..<(g.batch * g.inputChannels) {
            let src = x + plane * g.inputPlane, grad = dx + plane * g.inputPlane
            let gradOut = dy + plane * g.outputPlane
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    let w = window(oh, ow), d = gradOut[oh * g.outputWidth + ow]
                    switch kind {
                    case .max:
                        var best = -Float.infinity, bestIndex = -1
                        for ih in w.rows { for iw in w.columns where src[ih * g.inputWidth + iw] > best {
                            best = src[ih * g.inputWidth + iw]; bestIndex = ih * g.inputWidth + iw
                        } }
                        if bestIndex >= 0 { grad[bestIndex] += d }
                    case .average:
                        let share = d / Float(w.divisor)
                        for ih in w.rows { for iw in w.columns { grad[ih * g.inputWidth + iw] += share } }
                    }
                }
            }
        }
    }

    private struct Window { var rows: StrideTo<Int>; var columns: StrideTo<Int>; var divisor: Int }

    /// The input positions a window covers, clipped to the input, stepping by the dilation.
    private func window(_ oh: Int, _ ow: Int) -> Window {
        let g = geometry
        let top = oh * g.strideHeight - g.padTop, left = ow * g.strideWidth - g.padLeft
        let bottom = top + (g.kernelHeight - 1) * g.dilationHeight, right = left + (g.kernelWidth - 1) * g.dilationWidth
        let rows = stride(from: firstInside(top, g.dilationHeight), to: min(bottom, g.inputHeight - 1) + 1, by: g.dilationHeight)
        let columns = stride(from: firstInside(left, g.dilationWidth), to: min(right, g.inputWidth - 1) + 1, by: g.dilationWidth)
        var divisor = rows.underestimatedCount * columns.underestimatedCount
        if case .average(true) = kind {
            // Padding counts, but a ceil_mode window's overhang past the end padding does not (PyTorch).
            let padBottom = g.inputHeight + padEndHeight - 1, padRight = g.inputWidth + padEndWidth - 1
            divisor = ((min(bottom, padBottom) - top) / g.dilationHeight + 1) * ((min(right, padRight) - left) / g.dilationWidth + 1)
        }
        return Window(rows: rows, columns: columns, divisor: max(divisor, 1))
    }

    private func firstInside(_ start: Int, _ step: Int) -> Int {
        start >= 0 ? start : start + ((-start + step - 1) / step) * step
    }

    private func reduce(_ w: Window, _ src: UnsafePointer<Float>) -> Float {
        let width = geometry.inputWidth
        switch kind {
        case .max:
            var best = -Float.infinity
            for ih in w.rows { for iw in w.columns { best = max(best, src[ih * width + iw]) } }
            return best
        case .average:
            var sum: Float = 0
            for ih in w.rows { for iw in w.columns { sum += src[ih * width + iw] } }
            return sum / Float(w.divisor)
        }
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
