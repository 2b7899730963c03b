import TestSupport
import Testing
@testable import Engine

/// Conv forward against a direct double-precision convolution, and its backward against
/// finite differences, for each of the three kernels (pointwise, depthwise, im2col).
struct ConvTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var c = 3, h = 7, w = 6, m = 4, kh = 3, kw = 3
        var stride = (1, 1), dilation = (1, 1), pads = (0, 0, 0, 0), groups = 1, batch = 1
        /// A fused ReLU/Clip; the reference applies it to the plain convolution.
        var activation: Activation.Kind? = nil
        var clamp: FusedClamp? { activation.flatMap(FusedClamp.init) }
        /// Forward through Winograd F(2x2, 3x3) (the geometry must qualify).
        var winograd = false
        var testDescription: String { name }

        func conv(weight: [Float], bias: [Float]?, clamp: FusedClamp?) -> Conv {
            let g = geometry
            precondition(!winograd || Winograd3x3.supports(g), "\(name) does not qualify for Winograd")
            return Conv(geometry: g, weight: weight, bias: bias, clamp: clamp, winogradWeight: winograd
                        ? Winograd3x3.transformWeights(weight, outputChannels: g.outputChannels, inputChannels: g.inputChannels) : nil)
        }

        var geometry: ConvGeometry {
            let oh = ConvGeometry.outputSize(input: h, kernel: kh, stride: stride.0, dilation: dilation.0, padBegin: pads.0, padEnd: pads.2)
            let ow = ConvGeometry.outputSize(input: w, kernel: kw, stride: stride.1, dilation: dilation.1, padBegin: pads.1, padEnd: pads.3)
            return ConvGeometry(batch: batch, inputChannels: c, inputHeight: h, inputWidth: w, outputChannels: m,
                                outputHeight: oh, outputWidth: ow, kernelHeight: kh, kernelWidth: kw,
                                strideHeight: stride.0, strideWidth: stride.1, dilationHeight: dilation.0, dilationWidth: dilation.1,
                                padTop: pads.0, padLeft: pads.1, groups: groups)
        }
    }

    static let cases: [Case] = [
        Case(name: "3x3 same padding", pads: (1, 1, 1, 1)),
        Case(name: "pointwise 1x1", kh: 1, kw: 1),
        Case(name: "stride 2 with asymmetric pads", stride: (2, 2), pads: (0, 1, 1, 0)),
        Case(name: "dilation 2", dilation: (2, 2), pads: (2, 2, 2, 2)),
        Case(name: "asymmetric 1x3 kernel, stride (1,2)", kh: 1, kw: 3, stride: (1, 2), pads: (0, 1, 0, 1)),
        Case(name: "grouped", c: 4, m: 6, pads: (1, 1, 1, 1), groups: 2),
        Case(name: "depthwise", c: 4, m: 4, pads: (1, 1, 1, 1), groups: 4),
        Case(name: "depthwise with multiplier 2, stride 2", c: 3, m: 6, stride: (2, 2), pads: (1, 1, 1, 1), groups: 3),
        Case(name: "depthwise 5x5 stride 2, TF-style pads, 13x37 input", c: 3, h: 13, w: 37, m: 3, kh: 5, kw: 5,
             stride: (2, 2), pads: (1, 1, 2, 2), groups: 3),
        Case(name: "depthwise 3x3 stride 2, no left pad, 40 columns", c: 2, h: 6, w: 40, m: 2,
             stride: (2, 2), pads: (0, 0, 1, 1), groups: 2),
        Case(name: "depthwise 3x3 dilation 2, 19 columns, batch 2", c: 2, h: 9, w: 19, m: 2,
             dilation: (2, 2), pads: (2, 2, 2, 2), groups: 2, batch: 2),
        Case(name: "depthwise 3x1 stride (1,3), no padding", c: 2, h: 10, w: 17, m: 2, kh: 3, kw: 1,
             stride: (1, 3), groups: 2),
        // 3 or 5 kernel rows at stride 1 or 2 take passes of eight rows that load each input row
        // once, then a part pass of up to four rows at the bottom, and a part vector at the right.
        // Ten or more output rows: all eight rows of the first pass are real.
        Case(name: "depthwise 3x3 stride 1, 10x13 input, batch 2", c: 3, h: 10, w: 13, m: 3, pads: (1, 1, 1, 1),
             groups: 3, batch: 2),
        Case(name: "depthwise 5x5 stride 1, multiplier 2, 11x21 input", c: 2, h: 11, w: 21, m: 4, kh: 5, kw: 5,
             pads: (2, 2, 2, 2), groups: 2),
        Case(name: "depthwise 3x3 stride 2, 19x12 input to 10 rows", c: 2, h: 19, w: 12, m: 2, stride: (2, 2),
             pads: (1, 1, 1, 1), groups: 2),
        Case(name: "depthwise 5x5 stride 2, 20x18 input to 10 rows", c: 2, h: 20, w: 18, m: 2, kh: 5, kw: 5, stride: (2, 2),
             pads: (2, 2, 2, 2), groups: 2),
        // Planes narrower than a vector store whole vectors into the rows after them, cut where
        // the plane ends; wider planes end with a vector moved left to the last column.
        Case(name: "depthwise 5x5 stride 1 on a 7x7 plane: rows of 7 spill into the next row", c: 3, h: 7, w: 7, m: 3, kh: 5, kw: 5,
             pads: (2, 2, 2, 2), groups: 3, batch: 2),
        Case(name: "depthwise 3x3 stride 2, 14x14 to 7x7, with multiplier 2", c: 2, h: 14, w: 14, m: 4, stride: (2, 2),
             pads: (0, 0, 1, 1), groups: 2),
        // Stride 2 splits each input row into even and odd padded columns in groups of 16, then
        // of 8, each width ending with a group that overlaps the one before; a left pad of 1
        // starts the groups at input column 1.
        Case(name: "depthwise 3x3 stride 2, 14 columns from column 1: two groups of 8 and one move", c: 2, h: 6, w: 14, m: 2,
             stride: (2, 2), pads: (1, 1, 1, 1), groups: 2),
        Case(name: "depthwise 3x3 stride 2, 29 columns from column 1: two groups of 16", c: 2, h: 5, w: 29, m: 2,
             stride: (2, 2), pads: (1, 1, 1, 1), groups: 2),
        Case(name: "depthwise 3x3 stride 1 on 14 columns: the second vector starts at column 6", c: 2, h: 5, w: 14, m: 2,
             pads: (1, 1, 1, 1), groups: 2),
        Case(name: "depthwise 3x3 stride 1 on exactly 8 columns", c: 2, h: 9, w: 8, m: 2, pads: (1, 1, 1, 1), groups: 2),
        Case(name: "im2col over 20 rows of 40 columns: several tiles of output rows", c: 2, h: 20, w: 40, m: 3,
             pads: (1, 1, 1, 1)),
        Case(name: "im2col 7x7 plane, 20 output channels: threads share the channels, not the columns", c: 3, h: 7, w: 7, m: 20,
             pads: (1, 1, 1, 1)),
        Case(name: "pointwise 5x5 plane, 24 to 12 channels: threads share the channels", c: 24, h: 5, w: 5, m: 12, kh: 1, kw: 1),
        Case(name: "Winograd 3x3 same padding, odd 9x11 output", c: 3, h: 9, w: 11, m: 5, pads: (1, 1, 1, 1), winograd: true),
        Case(name: "Winograd 3x3 unpadded, 10x19 output: a group of 8 tiles and a part group", c: 4, h: 12, w: 21, m: 3,
             winograd: true),
        Case(name: "Winograd 3x3, 34 rows of 18, batch 2", c: 2, h: 34, w: 18, m: 3, pads: (1, 1, 1, 1), batch: 2, winograd: true),
        Case(name: "batch of 2, 5x5 kernel", c: 2, h: 8, w: 8, m: 3, kh: 5, kw: 5, pads: (2, 2, 2, 2), batch: 2),
        Case(name: "im2col in parts: 40 channels x 3x3 = 360 column rows (28 channels, then 12), 14x14 plane", c: 40, h: 14, w: 14,
             m: 13, pads: (1, 1, 1, 1)),
        Case(name: "pointwise over 300 input channels: two chunks of k, Y holding the partial sums", c: 300, h: 5, w: 5, m: 8,
             kh: 1, kw: 1),
        Case(name: "grouped 1x1: sgemm per group", c: 4, h: 6, w: 7, m: 6, kh: 1, kw: 1, groups: 2),
        Case(name: "im2col 3x3 stride 2 over 40 columns: 20 outputs a row, copied 8 at a time and then one by one", c: 2, h: 9, w: 40,
             m: 3, stride: (2, 2), pads: (1, 1, 1, 1)),
        Case(name: "im2col 3x3 stride 3 over 25 columns", c: 2, h: 7, w: 25, m: 3, stride: (3, 3), pads: (1, 1, 1, 1)),
        // Stride 1 keeping the row width: strips packed from the shifted input planes, masked
        // where a tap lands in the padding or wraps around a row's edge.
        Case(name: "im2col from shifted planes: 3x3 padded 2 left and 2 below only, 19 columns", c: 3, h: 9, w: 19, m: 5,
             pads: (0, 2, 2, 0)),
        Case(name: "im2col from shifted planes: 3x1 kernel over 21 columns, 30 channels in two chunks of k", c: 30, h: 6, w: 21, m: 7,
             kh: 3, kw: 1, pads: (1, 0, 1, 0)),
        Case(name: "im2col from shifted planes: 5x5 kernel on a 2-column plane, taps past the whole row", c: 2, h: 6, w: 2, m: 3,
             kh: 5, kw: 5, pads: (2, 2, 2, 2)),
    ]

    /// More output channels than columns (and at least 64 columns a thread at 2 threads): the
    /// threads share the channels (Parallelism.sharesOutputChannels). Forward only: their
    /// backward takes the paths the cases above check.
    static let channelSharedCases: [Case] = [
        Case(name: "pointwise 12x12 plane, 10 to 150 channels: more channels than columns", c: 10, h: 12, w: 12, m: 150, kh: 1, kw: 1),
        Case(name: "im2col from shifted planes, 12x12 plane, 3 to 150 channels: more channels than columns", c: 3, h: 12, w: 12,
             m: 150, pads: (1, 1, 1, 1)),
    ]

    /// Convs with a fused ReLU/Clip, whose outputs sit on both sides of the bounds.
    static let clampedCases: [Case] = [
        Case(name: "pointwise with fused ReLU", c: 5, h: 6, w: 9, m: 7, kh: 1, kw: 1, activation: .relu),
        Case(name: "depthwise 3x3 with fused Clip(-0.5, 0.5)", c: 3, h: 9, w: 12, m: 3, pads: (1, 1, 1, 1), groups: 3,
             activation: .clip(min: -0.5, max: 0.5)),
        Case(name: "im2col 3x3 stride 2 with fused Clip(0, 0.5), batch 2", c: 2, h: 9, w: 8, m: 3, stride: (2, 2),
             pads: (1, 1, 1, 1), batch: 2, activation: .clip(min: 0, max: 0.5)),
        Case(name: "Winograd 3x3 with fused ReLU, pads (top 0, left 1, bottom 2, right 1)", c: 3, h: 10, w: 9, m: 4,
             pads: (0, 1, 2, 1), activation: .relu, winograd: true),
        Case(name: "im2col in parts on a 7x7 plane with fused ReLU: threads share the channels, each builds the parts", c: 30, h: 7, w: 7,
             m: 14, pads: (1, 1, 1, 1), activation: .relu),
    ]

    /// Serially and split over 2 and 3 threads (bands of output columns, or channels).
    @Test(arguments: cases + clampedCases + channelSharedCases, [1, 2, 3])
    func forwardMatchesDirectConvolution(_ c: Case, threads: Int) {
        let g = c.geometry
        let x = randomValues(g.batch * g.inputChannels * g.inputPlane, seed: 1)
        let weight = randomValues(g.outputChannels * g.columnRows, seed: 2)
        let bias = randomValues(g.outputChannels, seed: 3)
        var check = GradientCheck(c.conv(weight: weight, bias: bias, clamp: c.clamp), inputs: [x],
                                  outputCount: g.batch * g.outputChannels * g.outputPlane)
        check.parallelism = Parallelism(threads: threads)
        let y = check.forward()
        var worst = 0.0
        for n in 0..<g.batch { for m in 0..<g.outputChannels { for oh in 0..<g.outputHeight { for ow in 0..<g.outputWidth {
            let group = m / g.outputChannelsPerGroup
            var sum = Double(bias[m])
            for ci in 0..<g.inputChannelsPerGroup { for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight, iw = ow * g.strideWidth - g.padLeft + j * g.dilationWidth
                guard ih >= 0, ih < g.inputHeight, iw >= 0, iw < g.inputWidth else { continue }
                let c = group * g.inputChannelsPerGroup + ci
                sum += Double(x[((n * g.inputChannels + c) * g.inputHeight + ih) * g.inputWidth + iw])
                     * Double(weight[((m * g.inputChannelsPerGroup + ci) * g.kernelHeight + i) * g.kernelWidth + j])
            } } }
            if let clamp = c.clamp { sum = min(max(sum, Double(clamp.lower)), Double(clamp.upper)) }
            let got = Double(y[((n * g.outputChannels + m) * g.outputHeight + oh) * g.outputWidth + ow])
            worst = largerError(worst, abs(got - sum))
        } } } }
        // Float sums of C/g * kh * kw products: the rounding grows with their number.
        #expect(worst < max(1e-5, 1e-7 * Double(g.columnRows)))
    }

    /// Threads share a depthwise layer by channels, so a share must write its own output planes
    /// and nothing else: a plane narrower than a vector spills whole vectors into its next rows,
    /// but never past its end, even when a vector is wider than the rows left (3 columns).
    @Test(arguments: [(7, 7, 5), (5, 6, 3), (14, 14, 3), (4, 3, 3), (5, 3, 3), (2, 2, 3), (9, 1, 1)])
    func depthwiseForwardWritesOnlyTheChannelsItIsGiven(_ shape: (Int, Int, Int)) {
        let (h, w, kernel) = shape
        let g = Case(name: "", c: 3, h: h, w: w, m: 3, kh: kernel, kw: kernel, pads: (kernel / 2, kernel / 2, kernel / 2, kernel / 2),
                     groups: 3).geometry
        let layout = DepthwiseConv.PaddedPlane(g)
        let x = randomValues(g.inputChannels * g.inputPlane, seed: 6), weight = randomValues(g.outputChannels * g.columnRows, seed: 7)
        var y = [Float](repeating: -1000, count: g.outputChannels * g.outputPlane + 8)
        var scratch = [Float](repeating: 0, count: DepthwiseConv.scratchCount(g))
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    DepthwiseConv.forward(g, layout: layout, channels: 1..<2, input: x.baseAddress!, weight: weight, bias: nil, clamp: nil,
                                          output: y.baseAddress!, scratch: scratch.baseAddress!)
                }
            }
        }
        let plane = g.outputPlane
        #expect(y[0..<plane].allSatisfy { $0 == -1000 } && y[(2 * plane)...].allSatisfy { $0 == -1000 })
        #expect(!y[plane..<(2 * plane)].contains(-1000))
    }

    @Test(arguments: cases, [1, 2])
    func backwardMatchesFiniteDifferences(_ c: Case, threads: Int) {
        let g = c.geometry
        let conv = c.conv(weight: randomValues(g.outputChannels * g.columnRows, seed: 4), bias: nil, clamp: c.clamp)
        var check = GradientCheck(conv, inputs: [randomValues(g.batch * g.inputChannels * g.inputPlane, seed: 5)],
                                  outputCount: g.batch * g.outputChannels * g.outputPlane)
        check.parallelism = Parallelism(threads: threads)
        let result = check.worstError()
        #expect(result.checked == g.batch * g.inputChannels * g.inputPlane)
        #expect(result.error < 1e-3)
    }

    /// An input read by two steps (a ResNet block's input feeds its first convolution and the
    /// shortcut) gets the sum of both gradients: backward adds to what the buffer holds.
    static let accumulationCases = cases.filter { c in
        ["pointwise", "3x3 same", "grouped", "depthwise", "Winograd 3x3 same", "im2col 7x7"].contains { c.name.hasPrefix($0) }
    }

    @Test(arguments: accumulationCases, [1, 2])
    func backwardAddsToTheGradientAlreadyThere(_ c: Case, threads: Int) {
        let g = c.geometry
        let conv = c.conv(weight: randomValues(g.outputChannels * g.columnRows, seed: 4), bias: nil, clamp: nil)
        var check = GradientCheck(conv, inputs: [randomValues(g.batch * g.inputChannels * g.inputPlane, seed: 5)],
                                  outputCount: g.batch * g.outputChannels * g.outputPlane)
        check.parallelism = Parallelism(threads: threads)
        let dy = randomValues(g.batch * g.outputChannels * g.outputPlane, seed: 6)
        let alone = check.inputGradients(outputGradient: dy)[0]
        check.gradientStart = 0.5
        let added = check.inputGradients(outputGradient: dy)[0]
        let worst = largestError(zip(alone, added).map { abs(Double($1) - Double($0) - 0.5) })
        #expect(worst < 1e-5, "\(c.name): largest error \(worst)")
    }

    /// Backward's product runs over W's rows in chunks of 258 (whole panels), the chunks adding
    /// into the same column gradient; here with a K that is not a multiple of 6 (a last tile of
    /// C with 3 real rows) and, in the last case, two tiles of output rows. Against dX = W^T dY
    /// summed in double precision (finite differences would take too long at 260 channels).
    @Test(arguments: [
        Case(name: "pointwise, 21 -> 260 channels", c: 21, h: 2, w: 3, m: 260, kh: 1, kw: 1),
        Case(name: "3x3, 7 -> 260 channels, 3x3 plane", c: 7, h: 3, w: 3, m: 260, pads: (1, 1, 1, 1)),
        Case(name: "3x3, 7 -> 260 channels, 30x9 plane: two tiles", c: 7, h: 30, w: 9, m: 260, pads: (1, 1, 1, 1)),
    ], [1, 2])
    func backwardOverManyOutputChannelsSumsItsChunks(_ c: Case, threads: Int) {
        let g = c.geometry
        let weight = randomValues(g.outputChannels * g.columnRows, seed: 4)
        let conv = c.conv(weight: weight, bias: nil, clamp: nil)
        #expect(conv.panels != nil && g.outputChannels > PointwiseProduct.transposedChunk)
        var check = GradientCheck(conv, inputs: [randomValues(g.inputChannels * g.inputPlane, seed: 5)], outputCount: g.outputChannels * g.outputPlane)
        check.parallelism = Parallelism(threads: threads)
        let dy = randomValues(g.outputChannels * g.outputPlane, seed: 6)
        let dx = check.inputGradients(outputGradient: dy)[0]
        var expected = [Double](repeating: 0, count: g.inputChannels * g.inputPlane)
        for m in 0..<g.outputChannels { for oh in 0..<g.outputHeight { for ow in 0..<g.outputWidth {
            let gradient = Double(dy[(m * g.outputHeight + oh) * g.outputWidth + ow])
            for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                let ih = oh - g.padTop + i, iw = ow - g.padLeft + j
                guard ih >= 0, ih < g.inputHeight, iw >= 0, iw < g.inputWidth else { continue }
                for ci in 0..<g.inputChannels {
                    expected[(ci * g.inputHeight + ih) * g.inputWidth + iw]
                        += gradient * Double(weight[((m * g.inputChannels + ci) * g.kernelHeight + i) * g.kernelWidth + j])
                }
            } }
        } } }
        let worst = largestError(zip(dx, expected).map { abs(Double($0) - $1) })
        #expect(worst < 1e-7 * Double(g.outputChannels * g.kernelHeight * g.kernelWidth) + 1e-6, "largest error \(worst)")
    }

    /// Finite differences cannot check a clamped output well (many outputs per input sit near a
    /// bound); instead the fused backward must equal the unfused graph's, Conv then Activation,
    /// whose backward passes are each checked above and in OperatorGradientTests. The unfused
    /// Activation decides kinks on its input x, the fused clamp on its output y: this also checks
    /// that the two agree.
    @Test(arguments: clampedCases, [1, 2])
    func fusedClampMatchesConvFollowedByItsActivation(_ c: Case, threads: Int) throws {
        let g = c.geometry, kind = try #require(c.activation)
        let x = randomValues(g.batch * g.inputChannels * g.inputPlane, seed: 5)
        let weight = randomValues(g.outputChannels * g.columnRows, seed: 4), bias = randomValues(g.outputChannels, seed: 3)
        let outputCount = g.batch * g.outputChannels * g.outputPlane
        var fused = GradientCheck(c.conv(weight: weight, bias: bias, clamp: c.clamp), inputs: [x], outputCount: outputCount)
        fused.parallelism = Parallelism(threads: threads)
        // The same threads for both: a split changes sgemm's blocking, and with it the last bits
        // of backward's sums (the fusion must not).
        var conv = GradientCheck(c.conv(weight: weight, bias: bias, clamp: nil), inputs: [x], outputCount: outputCount)
        conv.parallelism = fused.parallelism
        let preActivation = conv.forward()
        let activation = GradientCheck(Activation(kind: kind, count: outputCount), inputs: [preActivation], outputCount: outputCount)

        let y = fused.forward()
        #expect(y == activation.forward())
        #expect(y.contains { $0 == c.clamp!.lower } && y.contains { $0 > c.clamp!.lower && $0 < c.clamp!.upper })

        var generator = SplitMix64(state: 11)
        let r = (0..<outputCount).map { _ in Float.random(in: -1...1, using: &generator) }
        let unfused = conv.inputGradients(outputGradient: activation.inputGradients(outputGradient: r)[0])[0]
        #expect(fused.inputGradients(outputGradient: r)[0] == unfused)
    }

    static let residualCases: [Case] = [
        Case(name: "pointwise 5x5 plane, 24 to 12 channels: a part strip", c: 24, h: 5, w: 5, m: 12, kh: 1, kw: 1),
        Case(name: "pointwise 9x9 plane, 300 to 8 channels: two chunks of k, a dot column", c: 300, h: 9, w: 9, m: 8, kh: 1, kw: 1),
        Case(name: "im2col 3x3 same padding, odd 9x11 plane", c: 3, h: 9, w: 11, m: 5, pads: (1, 1, 1, 1)),
        Case(name: "im2col 1x1 stride 2, batch 2", c: 6, h: 10, w: 10, m: 7, kh: 1, kw: 1, stride: (2, 2), batch: 2),
    ]

    /// A residual block's Add and ReLU run in the product's epilogue: forward and backward must
    /// equal the unfused graph's, Conv then Add+ReLU (each checked against finite differences
    /// above and in OperatorGradientTests), bit for bit: the same sums with the residual added
    /// last, and the same masked dY to the convolution's input and to the residual.
    @Test(arguments: residualCases, [1, 2])
    func residualAddInTheEpilogueMatchesConvFollowedByAddAndRelu(_ c: Case, threads: Int) throws {
        let g = c.geometry, outputCount = g.batch * g.outputChannels * g.outputPlane
        let x = randomValues(g.batch * g.inputChannels * g.inputPlane, seed: 15), residual = randomValues(outputCount, seed: 16)
        let weight = randomValues(g.outputChannels * g.columnRows, seed: 17), bias = randomValues(g.outputChannels, seed: 18)
        let relu = try #require(FusedClamp(.relu))
        var fused = GradientCheck(Conv(geometry: g, weight: weight, bias: bias, clamp: relu, addsResidual: true),
                                  inputs: [x, residual], outputCount: outputCount)
        fused.parallelism = Parallelism(threads: threads)
        var conv = GradientCheck(c.conv(weight: weight, bias: bias, clamp: nil), inputs: [x], outputCount: outputCount)
        conv.parallelism = fused.parallelism
        let shape = [g.batch, g.outputChannels, g.outputHeight, g.outputWidth]
        let add = GradientCheck(BroadcastBinary(kind: .add, layout: try #require(BroadcastLayout(shape, shape)), clamp: relu),
                                inputs: [conv.forward(), residual], outputCount: outputCount)

        let y = fused.forward()
        #expect(y == add.forward())
        #expect(y.contains(0) && y.contains { $0 > 0 })

        var generator = SplitMix64(state: 19)
        let r = (0..<outputCount).map { _ in Float.random(in: -1...1, using: &generator) }
        let unfused = add.inputGradients(outputGradient: r)
        let gradients = fused.inputGradients(outputGradient: r)
        #expect(gradients[1] == unfused[1])
        #expect(gradients[0] == conv.inputGradients(outputGradient: unfused[0])[0])
        // A target layer between the two operands' producers: only the residual needs a gradient.
        fused.differentiable = [false, true]
        #expect(fused.inputGradients(outputGradient: r)[1] == unfused[1])
    }
}
