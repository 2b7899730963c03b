/// Add, Sub, Mul and Div with NumPy broadcasting (ONNX opset 7+ multidirectional broadcast),
/// and a following ReLU or Clip fused in as `clamp` (ResNet's Add then ReLU, as one pass).
///
/// a (shape A), b (shape B) -> output (broadcast(A, B)). Either side may be a constant
/// (a bias, a scale) or an activation (a residual branch, a squeeze-excitation gate).
struct BroadcastBinary: Operator {
    enum Kind: Sendable { case add, sub, mul, div }

    let kind: Kind
    let layout: BroadcastLayout
    var clamp: FusedClamp? = nil

    /// An operand with the output's shape is read once per output element, at its index.
    var inPlaceInputs: [Int] { [0, 1].filter { layout.operandCounts[$0] == layout.count } }

    func forward(_ io: StepIO) {
        let a = io.input(0), b = io.input(1), y = io.output
        if layout.isElementwise {
            // Same shapes (a residual Add): one SIMD pass, clamp included, split over threads.
            let lower = clamp?.lower ?? -.infinity, upper = clamp?.upper ?? .infinity
            io.parallelism.forEachPiece(of: layout.count, granule: 16) { range, _ in
                let (a, b, y, count) = (a + range.lowerBound, b + range.lowerBound, y + range.lowerBound, range.count)
                switch kind {
                case .add: SIMDAccess.map(a, b, into: y, count: count) { FusedClamp.clamp($0 + $1, lower: lower, upper: upper) }
                case .sub: SIMDAccess.map(a, b, into: y, count: count) { FusedClamp.clamp($0 - $1, lower: lower, upper: upper) }
                case .mul: SIMDAccess.map(a, b, into: y, count: count) { FusedClamp.clamp($0 * $1, lower: lower, upper: upper) }
                case .div: SIMDAccess.map(a, b, into: y, count: count) { FusedClamp.clamp($0 / $1, lower: lower, upper: upper) }
                }
            }
            return
        }
        layout.forEach { o, ia, ib in
            switch kind {
            case .add: y[o] = a[ia] + b[ib]
            case .sub: y[o] = a[ia] - b[ib]
            case .mul: y[o] = a[ia] * b[ib]
            case .div: y[o] = a[ia] / b[ib]
            }
        }
        clamp?.apply(y, count: layout.count)
    }

    /// A broadcast operand's gradient is the sum over the axes it was repeated along, which the
    /// `+=` through a zero stride performs.
    func backward(_ io: StepIO) {
        if let clamp { clamp.maskGradient(io.consumedOutputGradient, output: io.output, count: layout.count) }
        let a = io.input(0), b = io.input(1), dy = io.outputGradient
        let da = io.inputGradient(0), db = io.inputGradient(1)
        if layout.isElementwise {
            // Same shapes (a residual Add): plain loops the compiler vectorises, split over
            // threads; the odometer below cost ResNet-50 2 ms of its backward pass to layer3.
            io.parallelism.forEachPiece(of: layout.count, granule: 16) { range, _ in
                if let da {
                    switch kind {
                    case .add, .sub: for i in range { da[i] += dy[i] }
                    case .mul: for i in range { da[i] += dy[i] * b[i] }
                    case .div: for i in range { da[i] += dy[i] / b[i] }
                    }
                }
                if let db {
                    switch kind {
                    case .add: for i in range { db[i] += dy[i] }
                    case .sub: for i in range { db[i] -= dy[i] }
                    case .mul: for i in range { db[i] += dy[i] * a[i] }
                    case .div: for i in range { db[i] -= dy[i] * a[i] / (b[i] * b[i]) }
                    }
                }
            }
            return
        }
        if let da {
            layout.forEach { o, ia, ib in
                switch kind {
                case .add, .sub: da[ia] += dy[o]
                case .mul: da[ia] += dy[o] * b[ib]
                case .div: da[ia] += dy[o] / b[ib]
                }
            }
        }
        if let db {
            layout.forEach { o, ia, ib in
                switch kind {
                case .add: db[ib] += dy[o]
                case .sub: db[ib] -= dy[o]
                case .mul: db[ib] += dy[o] * a[ia]
                case .div: db[ib] -= dy[o] * a[ia] / (b[ib] * b[ib])
                }
            }
        }
    }
}

/// Index arithmetic of a two-operand broadcast: for each output element, the element of
/// each operand it reads. Operand strides are 0 along the axes where that operand has size 1.
struct BroadcastLayout: Sendable {
    let outputShape: [Int]
    let stridesA: [Int], stridesB: [Int]

    /// Nil when the shapes do not broadcast.
    init?(_ a: [Int], _ b: [Int]) {
        let rank = max(a.count, b.count)
        let pa = Array(repeating: 1, count: rank - a.count) + a
        let pb = Array(repeating: 1, count: rank - b.count) + b
        var out = [Int]()
        for (x, y) in zip(pa, pb) {
            guard x == y || x == 1 || y == 1 else { return nil }
            out.append(x == 1 ? y : x)
        }
        outputShape = out
        stridesA = BroadcastLayout.strides(pa, against: out)
        stridesB = BroadcastLayout.strides(pb, against: out)
        isElementwise = pa == out && pb == out
        operandCounts = [pa.reduce(1, *), pb.reduce(1, *)]
    }

    /// Both operands have the output's shape: element i of each makes element i of the output.
    let isElementwise: Bool
    /// Elements of a and of b: the output's count for an operand broadcast along no axis.
    let operandCounts: [Int]
    var count: Int { outputShape.reduce(1, *) }

    static func outputShape(_ a: [Int], _ b: [Int]) -> [Int]? { BroadcastLayout(a, b)?.outputShape }

    private static func strides(_ dims: [Int], against out: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: dims.count), step = 1
        for axis in stride(from: dims.count - 1, through: 0, by: -1) {
            strides[axis] = dims[axis] == 1 && out[axis] != 1 ? 0 : step
            step *= dims[axis]
        }
        return strides
    }

    /// Calls `body(outputIndex, indexA, indexB)` for every output element in row-major order:
    /// an odometer over the outer axes and a tight loop over the last one.
    @inline(__always)
    func forEach(_ body: (Int, Int, Int) -> Void) {
        let rank = outputShape.count
        guard rank > 0 else { body(0, 0, 0); return }
        let inner = outputShape[rank - 1], sa = stridesA[rank - 1], sb = stridesB[rank - 1]
        let outerCount = outputShape.reduce(1, *) / max(inner, 1)
        guard inner > 0 else { return }
        var counter = [Int](repeating: 0, count: rank)
        var baseA = 0, baseB = 0, o = 0
        for _ in 0..<outerCount {
            for i in 0..<inner { body(o + i, baseA + i * sa, baseB + i * sb) }
            o += inner
            var axis = rank - 2
            while axis >= 0 {
                counter[axis] += 1
                baseA += stridesA[axis]; baseB += stridesB[axis]
                if counter[axis] < outputShape[axis] { break }
                baseA -= stridesA[axis] * outputShape[axis]; baseB -= stridesB[axis] * outputShape[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
    }
}
