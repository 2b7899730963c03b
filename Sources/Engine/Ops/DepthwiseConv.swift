/// Direct kernels for convolutions with one input channel per group (depthwise, with an
/// optional channel multiplier M/g). im2col would build a k = kh*kw GEMM per channel,
/// which spends more time packing than multiplying.
///
/// input (N, C, H, W), weight (M, 1, kh, kw), bias (M) -> output (N, M, OH, OW), M = C * multiplier
///
/// For each output row and kernel tap (i, j), one multiply-add (axpy) runs over the output
/// columns whose input column is inside the image: no branch per multiply, the padding is
/// decided once per run, and at stride 1 both operands are contiguous SIMD loads.
enum DepthwiseConv {
    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: [Float], bias: [Float]?,
                        output: UnsafeMutablePointer<Float>) {
        let multiplier = g.outputChannelsPerGroup
        let kernelSize = g.kernelHeight * g.kernelWidth
        let runs = (0..<g.kernelWidth).map { g.columnRun(kernelColumn: $0) }
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for m in 0..<g.outputChannels {
                    let x = input + (n * g.inputChannels + m / multiplier) * g.inputPlane
                    let y = output + (n * g.outputChannels + m) * g.outputPlane
                    y.update(repeating: bias?[m] ?? 0, count: g.outputPlane)
                    let k = w.baseAddress! + m * kernelSize
                    // Row by row, so that one output row stays in L1 while every tap adds to it.
                    for oh in 0..<g.outputHeight {
                        let row = y + oh * g.outputWidth
                        for i in 0..<g.kernelHeight {
                            let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight
                            if ih < 0 || ih >= g.inputHeight { continue }
                            let inputRow = x + ih * g.inputWidth
                            for j in 0..<g.kernelWidth where runs[j].count > 0 {
                                let run = runs[j], tap = k[i * g.kernelWidth + j]
                                let src = inputRow + run.start * g.strideWidth + run.offset
                                if g.strideWidth == 1 {
                                    Axpy.add(run.count, tap, src, to: row + run.start)
                                } else {
                                    Axpy.addStrided(run.count, tap, src, stride: g.strideWidth, to: row + run.start)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dX[c, ih, iw] += sum over taps of dY[m, oh, ow] * W[m, i, j]: the same runs, scattered.
    static func backwardInput(_ g: ConvGeometry, outputGradient: UnsafePointer<Float>, weight: [Float],
                              inputGradient: UnsafeMutablePointer<Float>) {
        let multiplier = g.outputChannelsPerGroup
        let kernelSize = g.kernelHeight * g.kernelWidth
        let runs = (0..<g.kernelWidth).map { g.columnRun(kernelColumn: $0) }
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for m in 0..<g.outputChannels {
                    let dx = inputGradient + (n * g.inputChannels + m / multiplier) * g.inputPlane
                    let dy = outputGradient + (n * g.outputChannels + m) * g.outputPlane
                    let k = w.baseAddress! + m * kernelSize
                    for oh in 0..<g.outputHeight {
                        let row = dy + oh * g.outputWidth
                        for i in 0..<g.kernelHeight {
                            let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight
                            if ih < 0 || ih >= g.inputHeight { continue }
                            let inputRow = dx + ih * g.inputWidth
                            for j in 0..<g.kernelWidth where runs[j].count > 0 {
                                let run = runs[j], tap = k[i * g.kernelWidth + j]
                                let dst = inputRow + run.start * g.strideWidth + run.offset
                                if g.strideWidth == 1 {
                                    Axpy.add(run.count, tap, row + run.start, to: dst)
                                } else {
                                    Axpy.scatterStrided(run.count, tap, row + run.start, to: dst, stride: g.strideWidth)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

}
