import Foundation
import ONNX

/// The arithmetic of constant folding, on small tensors of either element kind.
enum ConstantOps {
    typealias Failure = ShapeInference.Failure

    static func concat(_ values: [ConstantValue], axis: Int) throws -> ConstantValue {
        guard let first = values.first else { throw Failure(reason: "Concat of nothing") }
        let rank = first.shape.count
        let a = try ShapeInference.axis(axis, rank: rank)
        for v in values where v.shape.count != rank || zip(v.shape, first.shape).enumerated().contains(where: { $0.offset != a && $0.element.0 != $0.element.1 }) {
            throw Failure(reason: "Concat shapes \(values.map(\.shape)) differ outside axis \(a)")
        }
        let outer = first.shape.prefix(a).reduce(1, *)
        var shape = first.shape
        shape[a] = values.map { $0.shape[a] }.reduce(0, +)
        if values.allSatisfy({ $0.isInteger }) {
            var out = [Int64]()
            for o in 0..<outer { for v in values { let block = v.count / max(outer, 1); out += v.ints[(o * block)..<((o + 1) * block)] } }
            return ConstantValue(shape: shape, ints: out)
        }
        var out = [Float]()
        for o in 0..<outer { for v in values { let block = v.count / max(outer, 1); out += v.floats[(o * block)..<((o + 1) * block)] } }
        return ConstantValue(shape: shape, floats: out)
    }

    static func gather(_ data: ConstantValue, indices: ConstantValue, axis: Int) throws -> ConstantValue {
        let a = try ShapeInference.axis(axis, rank: data.shape.count)
        let size = data.shape[a]
        let idx = try indices.intValues.map { i -> Int in
            let r = i < 0 ? i + size : i
            guard r >= 0 && r < size else { throw Failure(reason: "Gather index \(i) out of range 0..<\(size)") }
            return r
        }
        let outer = data.shape.prefix(a).reduce(1, *), inner = data.shape.dropFirst(a + 1).reduce(1, *)
        var source = [Int]()
        for o in 0..<outer { for i in idx { for k in 0..<inner { source.append((o * size + i) * inner + k) } } }
        let shape = Array(data.shape.prefix(a)) + indices.shape + Array(data.shape.dropFirst(a + 1))
        return data.gathering(source, shape: shape)
    }

    /// Slice (opset 10+: starts, ends, axes, steps as inputs; earlier: attributes), any step sign.
    static func slice(_ node: ONNXNode, _ inputs: [ConstantValue?], opset: Int64) throws -> ConstantValue {
        guard let data = inputs.first ?? nil else { throw Failure(reason: "Slice without data") }
        let starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
        if opset >= 10 {
            guard inputs.count >= 3, let s = inputs[1], let e = inputs[2] else { throw Failure(reason: "Slice needs starts and ends") }
            starts = s.intValues; ends = e.intValues
            axes = inputs.count > 3 ? inputs[3]?.intValues : nil
            steps = inputs.count > 4 ? inputs[4]?.intValues : nil
        } else {
            starts = try node.ints("starts")?.map(Int.init) ?? []
            ends = try node.ints("ends")?.map(Int.init) ?? []
            axes = try node.ints("axes")?.map(Int.init); steps = nil
        }
        let plan = try SliceRanges(shape: data.shape, starts: starts, ends: ends, axes: axes, steps: steps)
        return data.gathering(plan.sourceIndices(), shape: plan.outputShape)
    }

    static func transpose(_ x: ConstantValue, perm: [Int]) throws -> ConstantValue {
        guard perm.sorted() == Array(0..<x.shape.count) else { throw Failure(reason: "bad permutation \(perm)") }
        let strides = ShapeInference.strides(x.shape)
        let outShape = perm.map { x.shape[$0] }
        var source = [Int](), counter = [Int](repeating: 0, count: outShape.count)
        for _ in 0..<x.count {
            source.append(zip(counter, perm).map { $0 * strides[$1] }.reduce(0, +))
            var a = outShape.count - 1
            while a >= 0 { counter[a] += 1; if counter[a] < outShape[a] { break }; counter[a] = 0; a -= 1 }
        }
        return x.gathering(source, shape: outShape)
    }

    static func range(_ start: ConstantValue, _ limit: ConstantValue, _ delta: ConstantValue) throws -> ConstantValue {
        let s = start.floats.first ?? 0, l = limit.floats.first ?? 0, d = delta.floats.first ?? 0
        guard d != 0 else { throw Failure(reason: "Range with delta 0") }
        let count = max(Int(((l - s) / d).rounded(.up)), 0)
        guard count <= 1 << 24 else { throw Failure(reason: "Range of \(count) values is too large") }
        if start.isInteger {
            let si = start.ints.first ?? 0, di = delta.ints.first ?? 1
            return ConstantValue(shape: [count], ints: (0..<count).map { si + Int64($0) * di })
        }
        return ConstantValue(shape: [count], floats: (0..<count).map { s + Float($0) * d })
    }

    static func expand(_ x: ConstantValue, to shape: [Int]) throws -> ConstantValue {
        guard let layout = BroadcastLayout(x.shape, shape) else { throw Failure(reason: "cannot expand \(x.shape) to \(shape)") }
        var source = [Int]()
        layout.forEach { _, ia, _ in source.append(ia) }
        return x.gathering(source, shape: layout.outputShape)
    }

    static func binary(_ op: String, _ a: ConstantValue, _ b: ConstantValue) throws -> ConstantValue {
        guard let layout = BroadcastLayout(a.shape, b.shape) else { throw Failure(reason: "\(op) shapes \(a.shape) and \(b.shape) do not broadcast") }
        let comparison = ["Equal", "Less", "Greater"].contains(op)
        if a.isInteger && b.isInteger {
            let x = a.ints, y = b.ints
            var out = [Int64]()
            try layout.forEachThrowing { _, i, j in out.append(try intOp(op, x[i], y[j])) }
            return ConstantValue(shape: layout.outputShape, ints: out)
        }
        let x = a.floats, y = b.floats
        var out = [Float]()
        layout.forEach { _, i, j in out.append(floatOp(op, x[i], y[j])) }
        return comparison ? ConstantValue(shape: layout.outputShape, ints: out.map { Int64($0) })
                          : ConstantValue(shape: layout.outputShape, floats: out)
    }

    private static func intOp(_ op: String, _ x: Int64, _ y: Int64) throws -> Int64 {
        switch op {
        case "Add": return x &+ y
        case "Sub": return x &- y
        case "Mul": return x &* y
        case "Div", "Mod":
            guard y != 0 else { throw Failure(reason: "integer division by zero") }
            return op == "Div" ? x / y : x % y
        case "Equal": return x == y ? 1 : 0
        case "Less": return x < y ? 1 : 0
        case "Greater": return x > y ? 1 : 0
        case "Min": return min(x, y)
        case "Max": return max(x, y)
        default: return Int64(pow(Double(x), Double(y)))
        }
    }

    private static func floatOp(_ op: String, _ x: Float, _ y: Float) -> Float {
        switch op {
        case "Add": x + y
        case "Sub": x - y
        case "Mul": x * y
        case "Div": x / y
        case "Mod": fmodf(x, y)
        case "Equal": x == y ? 1 : 0
        case "Less": x < y ? 1 : 0
        case "Greater": x > y ? 1 : 0
        case "Min": min(x, y)
        case "Max": max(x, y)
        default: powf(x, y)
        }
    }

    static func unary(_ op: String, _ x: ConstantValue) -> ConstantValue {
        if x.isInteger, ["Neg", "Abs", "Not", "Relu"].contains(op) {
            let f: (Int64) -> Int64 = switch op {
            case "Neg": { -$0 }
            case "Abs": { abs($0) }
            case "Relu": { max($0, 0) }
            default: { $0 == 0 ? 1 : 0 }
            }
            return ConstantValue(shape: x.shape, ints: x.ints.map(f))
        }
        let f: (Float) -> Float = switch op {
        case "Neg": { -$0 }
        case "Floor": { $0.rounded(.down) }
        case "Ceil": { $0.rounded(.up) }
        case "Sqrt": { $0.squareRoot() }
        case "Abs": { abs($0) }
        case "Reciprocal": { 1 / $0 }
        case "Relu": { max($0, 0) }
        case "Sigmoid": { 1 / (1 + expf(-$0)) }
        case "Exp": { expf($0) }
        case "Log": { logf($0) }
        default: { $0 == 0 ? 1 : 0 }
        }
        let out = x.floats.map(f)
        return x.isInteger && ["Floor", "Ceil"].contains(op) ? ConstantValue(shape: x.shape, ints: out.map { Int64($0) })
                                                             : ConstantValue(shape: x.shape, floats: out)
    }

    static func whereSelect(_ condition: ConstantValue, _ a: ConstantValue, _ b: ConstantValue) throws -> ConstantValue {
        guard let ab = BroadcastLayout(a.shape, b.shape), let full = BroadcastLayout(condition.shape, ab.outputShape) else {
            throw Failure(reason: "Where shapes do not broadcast")
        }
        let c = condition.ints
        var pick = [Int](), fromA = [Bool]()
        full.forEach { _, ic, _ in fromA.append(c[ic] != 0) }
        var pairs = [(Int, Int)]()
        ab.forEach { _, ia, ib in pairs.append((ia, ib)) }
        // ab's output shape equals full's, so the k-th element lines up in both walks.
        for (k, (ia, ib)) in pairs.enumerated() { pick.append(fromA[k] ? ia : ib) }
        if a.isInteger && b.isInteger {
            let x = a.ints, y = b.ints
            return ConstantValue(shape: full.outputShape, ints: pick.enumerated().map { fromA[$0.offset] ? x[$0.element] : y[$0.element] })
        }
        let x = a.floats, y = b.floats
        return ConstantValue(shape: full.outputShape, floats: pick.enumerated().map { fromA[$0.offset] ? x[$0.element] : y[$0.element] })
    }
}

extension BroadcastLayout {
    func forEachThrowing(_ body: (Int, Int, Int) throws -> Void) throws {
        var failure: Error? = nil
        forEach { o, a, b in
            guard failure == nil else { return }
            do { try body(o, a, b) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
