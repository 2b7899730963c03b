import Testing
@testable import Engine
import TestSupport

/// Every operator's backward pass against central finite differences (kinks skipped).
struct OperatorGradientTests {
    static let activations: [Activation.Kind] = [
        .relu, .leakyRelu(alpha: 0.1), .clip(min: 0, max: 0.5), .sigmoid, .hardSigmoid(alpha: 0.2, beta: 0.5), .hardSwish,
    ]

    @Test(arguments: activations)
    func activationBackwardMatchesFiniteDifferences(_ kind: Activation.Kind) {
        let x = randomValues(60, seed: 11, in: -4...4)
        let result = GradientCheck(Activation(kind: kind, count: 60), inputs: [x], outputCount: 60).worstError(epsilon: 1e-3)
        #expect(result.checked >= 50)
        #expect(result.error < 2e-3)
    }

    @Test func channelAffineBackwardMatchesFiniteDifferences() {
        let op = ChannelAffine(batch: 2, channels: 3, spatial: 4, scale: [0.5, -2, 3], shift: [1, 2, 3])
        let result = GradientCheck(op, inputs: [randomValues(24, seed: 12)], outputCount: 24).worstError()
        #expect(result.checked == 24 && result.error < 1e-3)
    }

    static let broadcastShapes: [([Int], [Int])] = [([2, 3, 4, 4], [2, 3, 4, 4]), ([2, 3, 4, 4], [2, 3, 1, 1]), ([3, 1], [1, 4]), ([2, 3, 4], [4]), ([5], [])]

    /// Every kind and broadcast, with and without a fused ReLU or Clip (kinks are skipped), and
    /// split over 2 threads (same shapes take a split, vectorised path).
    @Test(arguments: [BroadcastBinary.Kind.add, .sub, .mul, .div], broadcastShapes)
    func broadcastBinaryBackwardMatchesFiniteDifferences(_ kind: BroadcastBinary.Kind, _ shapes: ([Int], [Int])) throws {
        let layout = try #require(BroadcastLayout(shapes.0, shapes.1))
        let a = randomValues(shapes.0.reduce(1, *), seed: 13)
        // Keep divisors away from zero.
        let b = randomValues(shapes.1.reduce(1, *), seed: 14, in: 0.5...2)
        for clamp in [nil, FusedClamp(.relu), FusedClamp(.clip(min: -0.5, max: 0.5))] {
            for threads in [1, 2] {
                var check = GradientCheck(BroadcastBinary(kind: kind, layout: layout, clamp: clamp), inputs: [a, b],
                                          outputCount: layout.outputShape.reduce(1, *))
                check.parallelism = Parallelism(threads: threads)
                let result = check.worstError(epsilon: 1e-3)
                #expect(clamp != nil || result.checked == a.count + b.count, "every point is checked without a clamp")
                #expect(result.checked > 0 && result.error < 5e-3, "clamp \(String(describing: clamp)), \(threads) threads")
            }
        }
    }

    @Test func concatBackwardHandsEachInputItsBlock() {
        let op = Concat(outer: 2, blockSizes: [3 * 4, 2 * 4])
        let result = GradientCheck(op, inputs: [randomValues(24, seed: 15), randomValues(16, seed: 16)], outputCount: 40).worstError()
        #expect(result.checked == 40 && result.error < 1e-3)
    }

    @Test func transposeBackwardIsTheInversePermutation() {
        let op = Transpose(inputShape: [2, 3, 4], permutation: [2, 0, 1])
        let result = GradientCheck(op, inputs: [randomValues(24, seed: 17)], outputCount: 24).worstError()
        #expect(result.checked == 24 && result.error < 1e-3)
        let y = GradientCheck(op, inputs: [(0..<24).map(Float.init)], outputCount: 24).forward()
        // y[k, i, j] = x[i, j, k]: y[1, 0, 2] = x[0, 2, 1] = 9
        #expect(y[1 * 6 + 0 * 3 + 2] == 9)
    }

    @Test func softmaxBackwardMatchesFiniteDifferences() {
        let result = GradientCheck(Softmax(rows: 2, axisSize: 5), inputs: [randomValues(10, seed: 18, in: -3...3)], outputCount: 10).worstError(epsilon: 1e-3)
        #expect(result.checked == 10 && result.error < 2e-3)
    }

    @Test func padBackwardKeepsTheInnerRegion() {
        // Pads [0,0,1,2] begin, [0,0,2,-1] end: the last input column is cropped.
        let op = Pad(inputShape: [1, 2, 3, 4], outputShape: [1, 2, 6, 5], begins: [0, 0, 1, 2], value: 0.25)
        let result = GradientCheck(op, inputs: [randomValues(24, seed: 19)], outputCount: 60).worstError()
        #expect(result.checked == 24 && result.error < 1e-3)
        let y = GradientCheck(op, inputs: [(0..<24).map(Float.init)], outputCount: 60).forward()
        #expect(y[0] == 0.25)                 // padding
        #expect(y[1 * 5 + 2] == 0)            // x[0,0,0,0] lands at (1, 2)
        #expect(y[1 * 5 + 4] == 2)            // x[0,0,0,2]; x[0,0,0,3] is cropped
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmBackwardMatchesFiniteDifferencesForEveryTransposition(_ t: (Bool, Bool)) throws {
        let (m, n, k) = (3, 4, 5)
        var op = MatrixProduct(m: m, n: n, k: k, transposeA: t.0, transposeB: t.1, alpha: 0.5, beta: 2)
        op.biasLayout = BroadcastLayout([m, n], [n])
        let inputs = [randomValues(m * k, seed: 20), randomValues(k * n, seed: 21), randomValues(n, seed: 22)]
        let result = GradientCheck(op, inputs: inputs, outputCount: m * n).worstError()
        #expect(result.checked == m * k + k * n + n && result.error < 1e-3)
    }

    /// Above MatrixProduct.splitThreshold the threads share Y's columns; every band must read
    /// its own columns of op(B) for every transposition, for a matrix-vector product (m = 1,
    /// the classifier at batch 1) and a matrix product alike.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)], [1, 2, 3])
    func gemmSplitOverThreadsMatchesADirectProduct(_ t: (Bool, Bool), threads: Int) {
        for (m, n, k) in [(1, 1000, 300), (3, 200, 500)] {
            #expect(m * n * k >= MatrixProduct.splitThreshold)
            var op = MatrixProduct(m: m, n: n, k: k, transposeA: t.0, transposeB: t.1, alpha: 0.5, beta: 2)
            op.biasLayout = BroadcastLayout([m, n], [n])
            let a = randomValues(m * k, seed: 30), b = randomValues(k * n, seed: 31), c = randomValues(n, seed: 32)
            var check = GradientCheck(op, inputs: [a, b, c], outputCount: m * n)
            check.parallelism = Parallelism(threads: threads)
            let y = check.forward()
            var worst = 0.0
            for i in 0..<m { for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = t.0 ? a[p * m + i] : a[i * k + p], bpj = t.1 ? b[j * k + p] : b[p * n + j]
                    sum += Double(aip) * Double(bpj)
                }
                worst = largerError(worst, abs(Double(y[i * n + j]) - (0.5 * sum + 2 * Double(c[j]))))
            } }
            #expect(worst < 1e-4, "m \(m) n \(n) k \(k): worst \(worst)")
        }
    }

    /// Grad-CAM's dY at the classifier is one-hot per row, which backward turns into rows of
    /// op(B)^T instead of a dense product: dA must equal alpha * dY * op(B)^T for every
    /// transposition, with one or more non-zero entries per row, and with none at all.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmBackwardFromAOneHotGradientMatchesADirectProduct(_ t: (Bool, Bool)) {
        let (m, n, k) = (2, 40, 7)
        let op = MatrixProduct(m: m, n: n, k: k, transposeA: t.0, transposeB: t.1, alpha: 0.5)
        let a = randomValues(m * k, seed: 40), b = randomValues(k * n, seed: 41)
        for entries in [[(0, 3), (1, 17)], [(0, 3), (0, 39), (1, 0)], []] {
            var dy = [Float](repeating: 0, count: m * n)
            for (i, j) in entries { dy[i * n + j] = Float(j + 1) / 8 - 2 }
            let da = GradientCheck(op, inputs: [a, b], outputCount: m * n).inputGradients(outputGradient: dy)[0]
            var worst = 0.0
            for i in 0..<m { for p in 0..<k {
                var sum = 0.0
                for j in 0..<n { sum += Double(dy[i * n + j]) * Double(t.1 ? b[j * k + p] : b[p * n + j]) }
                worst = largerError(worst, abs(Double(da[t.0 ? p * m + i : i * k + p]) - 0.5 * sum))
            } }
            #expect(worst < 1e-6, "entries \(entries): worst \(worst)")
        }
    }

    @Test func batchedMatMulBackwardMatchesFiniteDifferences() {
        let op = MatrixProduct(m: 2, n: 3, k: 4, batchCount: 2, strideB: 12)
        let result = GradientCheck(op, inputs: [randomValues(16, seed: 23), randomValues(24, seed: 24)], outputCount: 12).worstError()
        #expect(result.checked == 40 && result.error < 1e-3)
    }

    static let pools: [(Pool.Kind, Int, Int, (Int, Int), Int)] = [
        (.max, 3, 2, (1, 1), 1), (.max, 2, 2, (0, 0), 1), (.max, 3, 1, (2, 2), 2),
        (.average(countIncludePad: false), 3, 2, (1, 1), 1), (.average(countIncludePad: true), 3, 2, (1, 1), 1),
    ]

    /// Each window read directly: taps inside the input count; with count_include_pad the
    /// divisor also counts taps in the padding (but not a ceil_mode overhang past it).
    @Test(arguments: pools.indices, [1, 2])
    func poolForwardMatchesDirectWindows(_ index: Int, threads: Int) {
        let (kind, kernel, stride, pads, dilation) = Self.pools[index]
        let out = ConvGeometry.outputSize(input: 7, kernel: kernel, stride: stride, dilation: dilation, padBegin: pads.0, padEnd: pads.1)
        let g = ConvGeometry(batch: 2, inputChannels: 2, inputHeight: 7, inputWidth: 7, outputChannels: 2, outputHeight: out, outputWidth: out,
                             kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                             dilationHeight: dilation, dilationWidth: dilation, padTop: pads.0, padLeft: pads.0, groups: 2)
        let x = randomValues(196, seed: 26)
        var check = GradientCheck(Pool(kind: kind, geometry: g, padEndHeight: pads.1, padEndWidth: pads.1), inputs: [x], outputCount: 4 * out * out)
        check.parallelism = Parallelism(threads: threads)
        let y = check.forward()
        for plane in 0..<4 { for oh in 0..<out { for ow in 0..<out {
            var best = -Float.infinity, sum = 0.0, inside = 0, padded = 0
            for i in 0..<kernel { for j in 0..<kernel {
                let ih = oh * stride - pads.0 + i * dilation, iw = ow * stride - pads.0 + j * dilation
                if ih >= -pads.0 && ih <= 6 + pads.1 && iw >= -pads.0 && iw <= 6 + pads.1 { padded += 1 }
                guard ih >= 0, ih < 7, iw >= 0, iw < 7 else { continue }
                let v = x[plane * 49 + ih * 7 + iw]
                best = max(best, v); sum += Double(v); inside += 1
            } }
            let expected: Double = switch kind {
            case .max: Double(best)
            case .average(let includePad): sum / Double(includePad ? padded : inside)
            }
            #expect(abs(Double(y[(plane * out + oh) * out + ow]) - expected) < 1e-6, "plane \(plane) (\(oh), \(ow))")
        } } }
    }

    /// ResNet's stem pool (3x3, stride 2, pad 1) computes wide rows eight outputs at a time: the
    /// outputs must equal the windows read one by one, at the edges, across the groups and in a
    /// last group moved left to end at the row's last output; a row too narrow for a group, too.
    @Test(arguments: [(9, 45), (6, 112), (5, 19), (4, 17), (7, 34)])
    func maxPoolOnWideRowsMatchesDirectWindows(_ size: (Int, Int)) {
        let (h, w) = size
        let oh = ConvGeometry.outputSize(input: h, kernel: 3, stride: 2, dilation: 1, padBegin: 1, padEnd: 1)
        let ow = ConvGeometry.outputSize(input: w, kernel: 3, stride: 2, dilation: 1, padBegin: 1, padEnd: 1)
        let g = ConvGeometry(batch: 1, inputChannels: 3, inputHeight: h, inputWidth: w, outputChannels: 3, outputHeight: oh, outputWidth: ow,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                             dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1, groups: 3)
        var x = randomValues(3 * h * w, seed: 27)
        x[5] = .nan  // skipped, as Swift.max skips it when it comes second
        let y = GradientCheck(Pool(kind: .max, geometry: g, padEndHeight: 1, padEndWidth: 1), inputs: [x], outputCount: 3 * oh * ow).forward()
        var wrong = 0
        for plane in 0..<3 { for r in 0..<oh { for c in 0..<ow {
            var best = -Float.infinity
            for i in 0..<3 { for j in 0..<3 {
                let ih = r * 2 - 1 + i, iw = c * 2 - 1 + j
                guard ih >= 0, ih < h, iw >= 0, iw < w else { continue }
                best = max(best, x[(plane * h + ih) * w + iw])
            } }
            if y[(plane * oh + r) * ow + c] != best { wrong += 1 }
        } } }
        #expect(wrong == 0)
    }

    @Test(arguments: pools.indices)
    func poolBackwardMatchesFiniteDifferences(_ index: Int) {
        let (kind, kernel, stride, pads, dilation) = Self.pools[index]
        let out = ConvGeometry.outputSize(input: 7, kernel: kernel, stride: stride, dilation: dilation, padBegin: pads.0, padEnd: pads.1)
        let g = ConvGeometry(batch: 2, inputChannels: 2, inputHeight: 7, inputWidth: 7, outputChannels: 2, outputHeight: out, outputWidth: out,
                             kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                             dilationHeight: dilation, dilationWidth: dilation, padTop: pads.0, padLeft: pads.0, groups: 2)
        let op = Pool(kind: kind, geometry: g, padEndHeight: pads.1, padEndWidth: pads.1)
        let result = GradientCheck(op, inputs: [randomValues(196, seed: 25)], outputCount: 8 * out * out).worstError(epsilon: 1e-3)
        #expect(result.checked >= 150)
        #expect(result.error < 2e-3)
    }

    @Test func globalAveragePoolSpreadsOneOverZ() {
        let op = GlobalAveragePool(planes: 6, planeSize: 9)
        let result = GradientCheck(op, inputs: [randomValues(54, seed: 26)], outputCount: 6).worstError()
        #expect(result.checked == 54 && result.error < 1e-3)
    }

    @Test func passThroughCopiesForwardAndBackward() {
        let result = GradientCheck(PassThrough(count: 10), inputs: [randomValues(10, seed: 27)], outputCount: 10).worstError()
        #expect(result.checked == 10 && result.error < 1e-3)
    }
}
