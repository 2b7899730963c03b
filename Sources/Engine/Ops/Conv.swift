import Tensor

/// 2-D convolution, ONNX Conv, with BatchNormalization already folded into weight and bias,
/// and a following ReLU or Clip fused in as `clamp`.
///
/// input (N, C, H, W), weight (M, C/g, kh, kw), bias (M) [, residual (N, M, OH, OW)] -> output (N, M, OH, OW)
///
/// With a residual (a second input), the output is clamp(conv(x) + residual): a residual
/// block's Add, and the ReLU after it, run in the product's epilogue (PointwiseProduct), for
/// the kernels that use panels and not Winograd.
///
/// Four shapes of the same arithmetic, chosen once at compile time:
/// pointwise (1x1, stride 1) needs no im2col, and forward runs PointwiseProduct (bias and
/// clamp inside the product; sgemm when grouped); depthwise (one input
/// channel per group) runs a direct loop, since its GEMM would have k = kh * kw; 3x3 stride 1
/// runs forward as Winograd F(2x2, 3x3) when the compiler supplies transformed weights;
/// everything else builds im2col column rows, a tile of output rows and a few input channels
/// at a time, for PointwiseProduct (Conv+Products.swift). Grouped convolutions that are not
/// depthwise run sgemm per group (Conv+Grouped.swift). Backward: depthwise a direct loop, the
/// others the transposed products, PointwiseProduct.multiplyTransposed on the panels and sgemm
/// per group on the grouped kernels.
struct Conv: Operator {
    let geometry: ConvGeometry
    /// The kernel (M, C/g, kh, kw) row-major, for the depthwise and grouped kernels; empty
    /// for the others, which keep it only in `panels` (PointwiseProduct's order).
    let weight: [Float]
    let panels: PanelWeights?
    let bias: [Float]?
    let clamp: FusedClamp?
    /// The depthwise kernel's padded-plane layout, fixed by the geometry; nil for the other kernels.
    let depthwiseLayout: DepthwiseConv.PaddedPlane?
    /// Winograd's tiling and transformed weights (Winograd3x3.transformWeights), when forward uses them.
    let winograd: (kernel: Winograd3x3, weight: [Float])?
    /// Whether input 1 is a residual added before the clamp.
    let addsResidual: Bool

    /// `weight` row-major; an ungrouped convolution packs it into panels.
    init(geometry: ConvGeometry, weight: [Float], bias: [Float]?, clamp: FusedClamp? = nil, winogradWeight: [Float]? = nil,
         addsResidual: Bool = false) {
        let panels = Self.usesPanels(geometry) ? PanelWeights(packing: weight, rows: geometry.outputChannels, depth: geometry.columnRows) : nil
        self.init(geometry: geometry, weight: panels == nil ? weight : [], panels: panels, bias: bias, clamp: clamp, winogradWeight: winogradWeight,
                  addsResidual: addsResidual)
    }

    /// `panels` for an ungrouped convolution (usesPanels), else `weight` row-major.
    init(geometry: ConvGeometry, weight: [Float], panels: PanelWeights?, bias: [Float]?, clamp: FusedClamp? = nil, winogradWeight: [Float]? = nil,
         addsResidual: Bool = false) {
        precondition((panels != nil) == Self.usesPanels(geometry), "panels exactly for the ungrouped kernels")
        precondition(!addsResidual || (panels != nil && winogradWeight == nil), "a residual only in PointwiseProduct's epilogue")
        precondition(panels.map { $0.rows == geometry.outputChannels && $0.depth == geometry.columnRows } ?? true,
                     "panels of an M x C * kh * kw kernel")
        self.geometry = geometry
        self.weight = weight
        self.panels = panels
        self.bias = bias
        self.clamp = clamp
        depthwiseLayout = geometry.isDepthwise ? DepthwiseConv.PaddedPlane(geometry) : nil
        winograd = winogradWeight.map { (Winograd3x3(geometry), $0) }
        self.addsResidual = addsResidual
    }

    /// Whether the kernel is kept in panels: ungrouped and not depthwise.
    static func usesPanels(_ g: ConvGeometry) -> Bool { g.groups == 1 && !g.isDepthwise }

    private var outputCount: Int { geometry.batch * geometry.outputChannels * geometry.outputPlane }

    /// Which of the four kernels runs, for profiles.
    var kernelFamily: String {
        geometry.isDepthwise ? "depthwise" : geometry.isPointwise ? "pointwise" : winograd != nil ? "winograd" : "im2col"
    }

    /// Per thread: forward's padded plane, Winograd block, packed strips or column rows, and
    /// backward's packed strips of dY and a tile's gathered weights; the first thread's also
    /// holds backward's column matrix before its packed strips.
    var scratchCount: Int { max(helperScratchCount, backwardColumnsCount + backwardPackingCount) }

    var helperScratchCount: Int { max(forwardScratchCount, backwardPackingCount) }

    var forwardScratchCount: Int {
        let g = geometry
        let forward = g.isDepthwise ? DepthwiseConv.scratchCount(g)
            : g.isPointwise ? PointwiseProduct.scratchCount(k: g.inputChannelsPerGroup, columns: g.outputPlane)
            : g.groups == 1 ? Im2ColParts(g).scratchCount : Im2Col.scratchCount(g)
        return max(winograd?.kernel.scratchCount ?? 0, forward)
    }

    /// Backward's column matrix dX_col = W^T dY for one tile (thread 0's scratch; every thread writes its rows).
    private var backwardColumnsCount: Int { geometry.isPointwise || geometry.isDepthwise ? 0 : Im2Col.scratchCount(geometry) }

    /// Backward's packed strips of dY and gathered weights, per thread (panels only).
    private var backwardPackingCount: Int {
        let g = geometry
        guard panels != nil, !g.isDepthwise else { return 0 }
        return PointwiseProduct.transposedScratchCount(m: g.outputChannels, columns: g.isPointwise ? g.outputPlane : Im2Col.widestTile(g))
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
        if g.groups == 1 {
            if g.isPointwise { pointwiseForward(io) } else { im2colForward(io) }
            return
        }
        groupedForward(io)
    }

    /// dX += W^T dY per image and group (col2im when the window is not pointwise), and
    /// dResidual += dY; dY masked by the clamp first.
    func backward(_ io: StepIO) {
        let dx = io.inputGradient(0), dResidual = addsResidual ? io.inputGradient(1) : nil
        guard dx != nil || dResidual != nil else { return }
        let g = geometry
        // With a clamp, dY is masked where it lies: nothing reads it after this step, and a
        // copy would cost every worker the largest clamped output's size in scratch.
        if let clamp { clamp.maskGradient(io.consumedOutputGradient, output: io.output, count: outputCount) }
        let dy = io.outputGradient
        if let dResidual { Axpy.add(outputCount, 1, dy, to: dResidual) }
        guard let dx else { return }
        if g.isDepthwise {
            io.parallelism.forEachPiece(of: g.inputChannels) { channels, _ in
                DepthwiseConv.backwardInput(g, channels: channels, outputGradient: dy, weight: weight, inputGradient: dx)
            }
            return
        }
        let plane = g.outputPlane, rows = g.outputChannelsPerGroup
        // Each thread packs strips of dY in its scratch; the first after the column gradient's place.
        let columnsCount = backwardColumnsCount
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let gradIn = dx + (n * g.inputChannels + group * g.inputChannelsPerGroup) * g.inputPlane
                    let gradOut = dy + (n * g.outputChannels + group * rows) * plane
                    // C (columnRows x n) = W^T dY (+ C when accumulating), shared by the threads in
                    // bands of columns, or in bands of rows when the columns are too few to share
                    // (as in forward): from the panels, or sgemm for the row-major kernels.
                    func transposedProduct(n: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
                        func share(_ cRows: Range<Int>, _ columns: Range<Int>, thread: Int) {
                            if let panels {
                                panels.values.withUnsafeBufferPointer { v in
                                    PointwiseProduct.multiplyTransposed(rows: cRows, columns: columns, m: rows, k: g.columnRows, panels: v.baseAddress!,
                                                                        dy: b, lddy: plane, c: c, ldc: ldc, accumulating: beta != 0,
                                                                        scratch: io.scratch(forThread: thread) + (thread == 0 ? columnsCount : 0))
                                }
                                return
                            }
                            GEMM.multiply(transposeA: true, m: cRows.count, n: columns.count, k: rows,
                                          a: w.baseAddress! + group * rows * g.columnRows + cRows.lowerBound, lda: g.columnRows,
                                          b: b + columns.lowerBound, ldb: plane, beta: beta,
                                          c: c + cRows.lowerBound * ldc + columns.lowerBound, ldc: ldc)
                        }
                        if io.parallelism.tooFewToShare(columns: n) {
                            io.parallelism.forEachPiece(of: g.columnRows, granule: PointwiseProduct.panelRows) { band, thread in
                                share(band, 0..<n, thread: thread)
                            }
                        } else {
                            io.parallelism.forEachPiece(of: n, granule: 16) { band, thread in share(0..<g.columnRows, band, thread: thread) }
                        }
                    }
                    if g.isPointwise {  // dX += W^T dY in place
                        transposedProduct(n: plane, b: gradOut, c: gradIn, ldc: plane, beta: 1)
                        continue
                    }
                    // Tile by tile (col2im of neighbouring tiles adds into the same input rows):
                    // the tile's column gradient W^T dY, then col2im by input channel.
                    let tiles = Im2Col.tiles(g, threads: 1)
                    for tile in 0..<tiles.count {
                        let outputRows = tiles.rows(ofBlock: tile), count = outputRows.count * g.outputWidth
                        transposedProduct(n: count, b: gradOut + outputRows.lowerBound * g.outputWidth, c: io.scratch, ldc: count, beta: 0)
                        io.parallelism.forEachPiece(of: g.inputChannelsPerGroup) { channels, _ in
                            Im2Col.unpackAdding(g, channels: channels, outputRows: outputRows, columns: io.scratch, into: gradIn)
                        }
                    }
                }
            }
        }
    }
}
