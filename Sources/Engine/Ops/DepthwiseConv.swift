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
    /// The zero-padded copy of one input plane that forward reads: wide enough that every tap
    /// of every output (plus one SIMD vector of over-read) lands inside it.
    struct PaddedPlane {
        let height: Int, width: Int
        let padBottom: Int, padRight: Int

        init(_ g: ConvGeometry) {
            let neededHeight = (g.outputHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1
            let neededWidth = (g.outputWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth + 1
            padBottom = max(0, neededHeight - g.padTop - g.inputHeight)
            padRight = max(0, neededWidth - g.padLeft - g.inputWidth)
            height = max(g.padTop + g.inputHeight + padBottom, neededHeight)
            width = max(g.padLeft + g.inputWidth + padRight, neededWidth) + 8 * g.strideWidth
        }

        var count: Int { height * width }
    }

    static func scratchCount(_ g: ConvGeometry) -> Int { PaddedPlane(g).count + 8 }

    /// Each input plane is copied once into a zero-padded plane; then every output row is built
    /// eight columns at a time in a register, tap after tap, with no bounds test inside.
    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: [Float], bias: [Float]?,
                        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let multiplier = g.outputChannelsPerGroup
        let kernelSize = g.kernelHeight * g.kernelWidth
        let padded = PaddedPlane(g)
        let plane = scratch
        let tail = scratch + padded.count  // 8 floats for a partial last vector
        plane.update(repeating: 0, count: padded.count)
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for c in 0..<g.inputChannels {
                    let x = input + (n * g.inputChannels + c) * g.inputPlane
                    for ih in 0..<g.inputHeight {
                        (plane + (ih + g.padTop) * padded.width + g.padLeft).update(from: x + ih * g.inputWidth, count: g.inputWidth)
                    }
                    for m in (c * multiplier)..<((c + 1) * multiplier) {
                        let y = output + (n * g.outputChannels + m) * g.outputPlane
                        let k = w.baseAddress! + m * kernelSize
                        let b = SIMD8<Float>(repeating: bias?[m] ?? 0)
                        for oh in 0..<g.outputHeight {
                            let rowBase = plane + oh * g.strideHeight * padded.width
                            var ow = 0
                            while ow < g.outputWidth {
                                var acc = b
                                for i in 0..<g.kernelHeight {
                                    let row = rowBase + i * g.dilationHeight * padded.width + ow * g.strideWidth
                                    for j in 0..<g.kernelWidth {
                                        acc += SIMD8(repeating: k[i * g.kernelWidth + j]) * load8(row + j * g.dilationWidth, stride: g.strideWidth)
                                    }
                                }
                                let remaining = g.outputWidth - ow
                                if remaining >= 8 {
                                    UnsafeMutableRawPointer(y + oh * g.outputWidth + ow).storeBytes(of: acc, as: SIMD8<Float>.self)
                                } else {
                                    UnsafeMutableRawPointer(tail).storeBytes(of: acc, as: SIMD8<Float>.self)
                                    (y + oh * g.outputWidth + ow).update(from: tail, count: remaining)
                                }
                                ow += 8
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func load8(_ p: UnsafePointer<Float>, stride: Int) -> SIMD8<Float> {
        if stride == 1 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        return SIMD8(p[0], p[stride], p[2 * stride], p[3 * stride], p[4 * stride], p[5 * stride], p[6 * stride], p[7 * stride])
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
