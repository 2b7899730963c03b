/// Direct kernels for convolutions with one input channel per group (depthwise, with an
/// optional channel multiplier M/g). im2col would build a k = kh*kw GEMM per channel,
/// which spends more time packing than multiplying.
///
/// input (N, C, H, W), weight (M, 1, kh, kw), bias (M) -> output (N, M, OH, OW), M = C * multiplier
enum DepthwiseConv {
    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: [Float], bias: [Float]?,
                        output: UnsafeMutablePointer<Float>) {
        let multiplier = g.outputChannelsPerGroup
        let kernelSize = g.kernelHeight * g.kernelWidth
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for m in 0..<g.outputChannels {
                    let c = m / multiplier
                    let x = input + (n * g.inputChannels + c) * g.inputPlane
                    let y = output + (n * g.outputChannels + m) * g.outputPlane
                    let k = w.baseAddress! + m * kernelSize
                    let b = bias?[m] ?? 0
                    for oh in 0..<g.outputHeight {
                        for ow in 0..<g.outputWidth {
                            var sum = b
                            for i in 0..<g.kernelHeight {
                                let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight
                                if ih < 0 || ih >= g.inputHeight { continue }
                                for j in 0..<g.kernelWidth {
                                    let iw = ow * g.strideWidth - g.padLeft + j * g.dilationWidth
                                    if iw < 0 || iw >= g.inputWidth { continue }
                                    sum += x[ih * g.inputWidth + iw] * k[i * g.kernelWidth + j]
                                }
                            }
                            y[oh * g.outputWidth + ow] = sum
                        }
                    }
                }
            }
        }
    }

    /// dX[c, ih, iw] += sum over taps of dY[m, oh, ow] * W[m, i, j]
    static func backwardInput(_ g: ConvGeometry, outputGradient: UnsafePointer<Float>, weight: [Float],
                              inputGradient: UnsafeMutablePointer<Float>) {
        let multiplier = g.outputChannelsPerGroup
        let kernelSize = g.kernelHeight * g.kernelWidth
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for m in 0..<g.outputChannels {
                    let c = m / multiplier
                    let dx = inputGradient + (n * g.inputChannels + c) * g.inputPlane
                    let dy = outputGradient + (n * g.outputChannels + m) * g.outputPlane
                    let k = w.baseAddress! + m * kernelSize
                    for oh in 0..<g.outputHeight {
                        for ow in 0..<g.outputWidth {
                            let grad = dy[oh * g.outputWidth + ow]
                            if grad == 0 { continue }
                            for i in 0..<g.kernelHeight {
                                let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight
                                if ih < 0 || ih >= g.inputHeight { continue }
                                for j in 0..<g.kernelWidth {
                                    let iw = ow * g.strideWidth - g.padLeft + j * g.dilationWidth
                                    if iw < 0 || iw >= g.inputWidth { continue }
                                    dx[ih * g.inputWidth + iw] += grad * k[i * g.kernelWidth + j]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
