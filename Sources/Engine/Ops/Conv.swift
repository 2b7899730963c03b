import Tensor

/// 2-D convolution, ONNX Conv, with BatchNormalization already folded into weight and bias,
/// and a following ReLU or Clip fused in as `clamp`.
///
/// input (N, C, H, W), weight (M, C/g, kh, kw), bias (M) -> output (N, M, OH, OW)
///
/// Four shapes of the same arithmetic, chosen once at compile time:
/// pointwise (1x1, stride 1) needs no im2col, and forward runs PointwiseProduct (bias and
/// clamp inside the product; sgemm when grouped); depthwise (one input
/// channel per group) runs a direct loop, since its GEMM would have k = kh * kw; 3x3 stride 1
/// runs forward as Winograd F(2x2, 3x3) when the compiler supplies transformed weights;
/// everything else packs im2col columns, a tile of output rows at a time, for sgemm.
/// Backward always uses the plain weights.
struct Conv: Operator {
    let geometry: ConvGeometry
    let weight: [Float]
    let bias: [Float]?
    let clamp: FusedClamp?
    /// The depthwise kernel's padded-plane layout, fixed by the geometry; nil for the other kernels.
    let depthwiseLayout: DepthwiseConv.PaddedPlane?
    /// Winograd's tiling and transformed weights (Winograd3x3.transformWeights), when forward uses them.
    let winograd: (kernel: Winograd3x3, weight: [Float])?

    init(geometry: ConvGeometry, weight: [Float], bias: [Float]?, clamp: FusedClamp? = nil, winogradWeight: [Float]? = nil) {
        self.geometry = geometry
        self.weight = weight
        self.bias = bias
        self.clamp = clamp
        depthwiseLayout = geometry.isDepthwise ? DepthwiseConv.PaddedPlane(geometry) : nil
        winograd = winogradWeight.map { (Winograd3x3(geometry), $0) }
    }

    private var outputCount: Int { geometry.batch * geometry.outputChannels * geometry.outputPlane }

    /// Which of the four kernels runs, for profiles.
    var kernelFamily: String {
        geometry.isDepthwise ? "depthwise" : geometry.isPointwise ? "pointwise" : winograd != nil ? "winograd" : "im2col"
    }

    /// Forward's columns, packed strips, padded plane or Winograd block (backward's columns are forward's).
    var scratchCount: Int {
        let kernel = geometry.isDepthwise ? DepthwiseConv.scratchCount(geometry)
            : geometry.isPointwise ? PointwiseProduct.scratchCount(k: geometry.inputChannelsPerGroup, columns: geometry.outputPlane)
            : Im2Col.scratchCount(geometry)
        return max(winograd?.kernel.scratchCount ?? 0, kernel)
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
        if let winograd {
            winograd.weight.withUnsafeBufferPointer { u in
                winograd.kernel.forward(io, transformedWeight: u.baseAddress!, bias: bias, clamp: clamp)
            }
            return
        }
        let x = io.input(0), y = io.output, plane = g.outputPlane, rows = g.outputChannelsPerGroup
        if g.isPointwise && g.groups == 1 {
            pointwiseForward(io)
            return
        }
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let input = x + (n * g.inputChannels + group * g.inputChannelsPerGroup) * g.inputPlane
                    let firstChannel = group * rows
                    let output = y + (n * g.outputChannels + firstChannel) * plane
                    let a = w.baseAddress! + group * rows * g.columnRows
                    // Output channels `channels` x columns [first, first + count) through bias,
                    // sgemm and clamp. The bias is written first and sgemm adds onto it (beta = 1):
                    // with beta = 0 sgemm spends a pass zeroing C, and adding the bias after would be
                    // another. The clamp follows while the columns are still in cache.
                    func produce(_ channels: Range<Int>, columns b: UnsafePointer<Float>, ldb: Int, first: Int, count: Int) {
                        let c = output + channels.lowerBound * plane + first
                        if let bias {
                            for r in 0..<channels.count { (c + r * plane).update(repeating: bias[firstChannel + channels.lowerBound + r], count: count) }
                        }
                        GEMM.multiply(m: channels.count, n: count, k: g.columnRows, a: a + channels.lowerBound * g.columnRows, lda: g.columnRows,
                                      b: b, ldb: ldb, beta: bias == nil ? 0 : 1, c: c, ldc: plane)
                        if let clamp { for r in 0..<channels.count { clamp.apply(c + r * plane, count: count) } }
                    }
                    // A plane too small to share by columns (the 7x7 stages): each thread multiplies
                    // a band of output channels by all the columns instead. Measured 10-20% faster
                    // on ResNet's 7x7 stage, no gain at 14x14.
                    let sharesChannels = io.parallelism.tooFewToShare(columns: plane)
                    if g.isPointwise {  // the input plane is the column matrix
                        if sharesChannels {
                            io.parallelism.forEachPiece(of: rows, granule: 8) { channels, _ in
                                produce(channels, columns: input, ldb: plane, first: 0, count: plane)
                            }
                        } else {  // bands of whole cache lines
                            io.parallelism.forEachPiece(of: plane, granule: 16) { band, _ in
                                produce(0..<rows, columns: input + band.lowerBound, ldb: plane, first: band.lowerBound, count: band.count)
                            }
                        }
                        continue
                    }
                    let tileRows = Im2Col.tileRows(g, threads: io.parallelism.threads)
                    if sharesChannels && io.parallelism.threads > 1 && Im2Col.tileRows(g, threads: 1) == g.outputHeight {
                        // The threads pack one column matrix together first.
                        let columns = io.scratch
                        io.parallelism.forEachPiece(of: g.inputChannelsPerGroup) { channels, _ in
                            Im2Col.pack(g, channels: channels, outputRows: 0..<g.outputHeight, input: input, columns: columns)
                        }
                        io.parallelism.forEachPiece(of: rows, granule: 8) { channels, _ in
                            produce(channels, columns: columns, ldb: plane, first: 0, count: plane)
                        }
                        continue
                    }
                    // Each thread packs and multiplies its own tiles of output rows, in its own scratch.
                    let tiles = (g.outputHeight + tileRows - 1) / tileRows
                    io.parallelism.forEachPiece(of: tiles) { tileRange, thread in
                        let columns = io.scratch(forThread: thread)
                        for tile in tileRange {
                            let outputRows = (tile * tileRows)..<min(g.outputHeight, (tile + 1) * tileRows)
                            let count = outputRows.count * g.outputWidth
                            Im2Col.pack(g, channels: 0..<g.inputChannelsPerGroup, outputRows: outputRows, input: input, columns: columns)
                            produce(0..<rows, columns: columns, ldb: count, first: outputRows.lowerBound * g.outputWidth, count: count)
                        }
                    }
                }
            }
        }
    }

    /// A 1x1 convolution without groups: PointwiseProduct per image, the threads sharing
    /// bands of columns, or panels of output channels when the columns are too few to share.
    private func pointwiseForward(_ io: StepIO) {
        let g = geometry, plane = g.outputPlane, panelRows = PointwiseProduct.panelRows
        let panels = (g.outputChannels + panelRows - 1) / panelRows
        weight.withUnsafeBufferPointer { w in
            func multiply(_ n: Int, rows: Range<Int>, columns: Range<Int>, thread: Int) {
                PointwiseProduct.multiply(rows: rows, columns: columns, k: g.inputChannels, weight: w.baseAddress!,
                                          bias: bias, clamp: clamp, x: io.input(0) + n * g.inputChannels * plane, ldx: plane,
                                          y: io.output + n * g.outputChannels * plane, ldy: plane, scratch: io.scratch(forThread: thread))
            }
            for n in 0..<g.batch {
                if io.parallelism.tooFewToShare(columns: plane) {
                    io.parallelism.forEachPiece(of: panels) { share, thread in
                        multiply(n, rows: share.lowerBound * panelRows..<min(g.outputChannels, share.upperBound * panelRows),
                                 columns: 0..<plane, thread: thread)
                    }
                } else {
                    io.parallelism.forEachPiece(of: plane, granule: PointwiseProduct.stripColumns) { band, thread in
                        multiply(n, rows: 0..<g.outputChannels, columns: band, thread: thread)
                    }
                }
            }
        }
    }

    /// dX += W^T dY per image and group (col2im when the window is not pointwise).
    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let g = geometry
        // With a clamp, dY is masked where it lies: nothing reads it after this step, and a
        // copy would cost every worker the largest clamped output's size in scratch.
        if let clamp { clamp.maskGradient(io.consumedOutputGradient, output: io.output, count: outputCount) }
        let dy = io.outputGradient
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
                    // C (columnRows x n) = W^T dY (+ C when accumulating), shared by the threads in
                    // bands of columns, or in bands of rows when the columns are too few to share
                    // (as in forward).
                    func transposedProduct(n: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
                        if io.parallelism.tooFewToShare(columns: n) {
                            io.parallelism.forEachPiece(of: g.columnRows, granule: 8) { band, _ in
                                GEMM.multiply(transposeA: true, m: band.count, n: n, k: rows, a: a + band.lowerBound, lda: g.columnRows,
                                              b: b, ldb: plane, beta: beta, c: c + band.lowerBound * ldc, ldc: ldc)
                            }
                            return
                        }
                        io.parallelism.forEachPiece(of: n, granule: 16) { band, _ in
                            GEMM.multiply(transposeA: true, m: g.columnRows, n: band.count, k: rows, a: a, lda: g.columnRows,
                                          b: b + band.lowerBound, ldb: plane, beta: beta, c: c + band.lowerBound, ldc: ldc)
                        }
                    }
                    if g.isPointwise {  // dX += W^T dY in place
                        transposedProduct(n: plane, b: gradOut, c: gradIn, ldc: plane, beta: 1)
                        continue
                    }
                    // Tile by tile (col2im of neighbouring tiles adds into the same input rows):
                    // the tile's column gradient W^T dY, then col2im by input channel.
                    let tileRows = Im2Col.tileRows(g, threads: 1)
                    for first in stride(from: 0, to: g.outputHeight, by: tileRows) {
                        let outputRows = first..<min(g.outputHeight, first + tileRows)
                        let count = outputRows.count * g.outputWidth
                        transposedProduct(n: count, b: gradOut + first * g.outputWidth, c: io.scratch, ldc: count, beta: 0)
                        io.parallelism.forEachPiece(of: g.inputChannelsPerGroup) { channels, _ in
                            Im2Col.unpackAdding(g, channels: channels, outputRows: outputRows, columns: io.scratch, into: gradIn)
                        }
                    }
                }
            }
        }
    }
}
