import Tensor

/// 2-D convolution, ONNX Conv, with BatchNormalization already folded into weight and bias,
/// and a following ReLU or Clip fused in as `clamp`.
///
/// input (N, C, H, W), weight (M, C/g, kh, kw), bias (M) -> output (N, M, OH, OW)
///
/// Three shapes of the same arithmetic, chosen once at compile time:
/// pointwise (1x1, stride 1) multiplies the input plane directly; depthwise (one input
/// channel per group) runs a direct loop, since its GEMM would have k = kh * kw;
/// everything else packs im2col columns and calls sgemm once per image and group.
struct Conv: Operator {
    let geometry: ConvGeometry
    let weight: [Float]
    let bias: [Float]?
    let clamp: FusedClamp?
    /// The depthwise kernel's padded-plane layout, fixed by the geometry; nil for the other kernels.
    let depthwiseLayout: DepthwiseConv.PaddedPlane?

    init(geometry: ConvGeometry, weight: [Float], bias: [Float]?, clamp: FusedClamp? = nil) {
        self.geometry = geometry
        self.weight = weight
        self.bias = bias
        self.clamp = clamp
        depthwiseLayout = geometry.isDepthwise ? DepthwiseConv.PaddedPlane(geometry) : nil
    }

    private var outputCount: Int { geometry.batch * geometry.outputChannels * geometry.outputPlane }

    /// Which of the three kernels runs, for profiles.
    var kernelFamily: String { geometry.isDepthwise ? "depthwise" : geometry.isPointwise ? "pointwise" : "im2col" }

    /// Forward's columns or padded plane; backward with a clamp first masks dY into scratch.
    var scratchCount: Int {
        let kernel = geometry.isDepthwise ? DepthwiseConv.scratchCount(geometry)
            : geometry.isPointwise ? 0 : geometry.columnRows * geometry.outputPlane
        return clamp == nil ? kernel : outputCount + kernel
    }

    func forward(_ io: StepIO) {
        let g = geometry
        if let layout = depthwiseLayout {
            // Channels are independent: each thread takes a share, with its own padded plane.
            io.parallelism.forEachPiece(of: g.inputChannels) { channels, thread in
                DepthwiseConv.forward(g, layout: layout, channels: channels, input: io.input(0), weight: weight, bias: bias,
                                      clamp: clamp, output: io.output, scratch: io.scratch(forThread: thread))
            }
            return
        }
        let x = io.input(0), y = io.output, plane = g.outputPlane, rows = g.outputChannelsPerGroup
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let input = x + (n * g.inputChannels + group * g.inputChannelsPerGroup) * g.inputPlane
                    let firstChannel = group * rows
                    let output = y + (n * g.outputChannels + firstChannel) * plane
                    var columns = input
                    if !g.isPointwise {
                        io.parallelism.forEachPiece(of: g.inputChannelsPerGroup) { channels, _ in
                            Im2Col.pack(g, channels: channels, input: input, columns: io.scratch)
                        }
                        columns = UnsafePointer(io.scratch)
                    }
                    // Each thread takes a band of output columns (whole cache lines) through bias,
                    // sgemm and clamp. The bias is written first and sgemm adds onto it (beta = 1):
                    // with beta = 0 sgemm spends a pass zeroing C, and adding the bias after
                    // would be another. The clamp follows while the band is still in cache.
                    io.parallelism.forEachPiece(of: plane, granule: 16) { band, _ in
                        let first = output + band.lowerBound
                        if let bias { for r in 0..<rows { (first + r * plane).update(repeating: bias[firstChannel + r], count: band.count) } }
                        GEMM.multiply(m: rows, n: band.count, k: g.columnRows,
                                      a: w.baseAddress! + group * rows * g.columnRows, lda: g.columnRows,
                                      b: columns + band.lowerBound, ldb: plane,
                                      beta: bias == nil ? 0 : 1, c: first, ldc: plane)
                        if let clamp { for r in 0..<rows { clamp.apply(first + r * plane, count: band.count) } }
                    }
                }
            }
        }
    }

    /// dX += W^T dY per image and group (col2im when the window is not pointwise).
    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let g = geometry
        // With a clamp, dY is first masked into scratch, and the kernels' scratch follows it.
        let dy = clamp == nil ? io.outputGradient : UnsafePointer(io.scratch)
        let scratch = clamp == nil ? io.scratch : io.scratch + outputCount
        clamp?.maskGradient(io.outputGradient, output: io.output, count: outputCount, into: io.scratch)
        if g.isDepthwise {
            io.parallelism.forEachPiece(of: g.inputChannels) { channels, _ in
                DepthwiseConv.backwardInput(g, channels: channels, outputGradient: dy, weight: weight, inputGradient: dx)
            }
            return
        }
        let plane = g.outputPlane, rows = g.outputChannelsPerGroup
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let gradIn = dx + (n * g.inputChannels + group * g.inputChannelsPerGroup) * g.inputPlane
                    let gradOut = dy + (n * g.outputChannels + group * rows) * plane
                    let a = w.baseAddress! + group * rows * g.columnRows
                    // Pointwise: dX += W^T dY in place; otherwise the columns' gradient, then col2im.
                    let target = g.isPointwise ? gradIn : scratch
                    io.parallelism.forEachPiece(of: plane, granule: 16) { band, _ in
                        GEMM.multiply(transposeA: true, m: g.columnRows, n: band.count, k: rows,
                                      a: a, lda: g.columnRows, b: gradOut + band.lowerBound, ldb: plane,
                                      beta: g.isPointwise ? 1 : 0, c: target + band.lowerBound, ldc: plane)
                    }
                    if !g.isPointwise {
                        io.parallelism.forEachPiece(of: g.inputChannelsPerGroup) { channels, _ in
                            Im2Col.unpackAdding(g, channels: channels, columns: scratch, into: gradIn)
                        }
                    }
                }
            }
        }
    }
}
