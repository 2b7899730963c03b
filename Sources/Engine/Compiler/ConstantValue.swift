/// A tensor known while compiling: an initializer, a Constant node, or the result of
/// folding a subgraph that depends only on such values (shape arithmetic, computed pads).
///
/// Floats stay Float, so a large weight passes through folding without widening;
/// integers (shapes, axes, pads) are Int64 as in ONNX.
struct ConstantValue: Sendable, Equatable {
    enum Elements: Sendable, Equatable {
        case float([Float])
        case int([Int64])
    }

    var shape: [Int]
    var elements: Elements

    init(shape: [Int], floats: [Float]) { self.shape = shape; elements = .float(floats) }
    init(shape: [Int], ints: [Int64]) { self.shape = shape; elements = .int(ints) }
    init(shape: [Int], elements: Elements) { self.shape = shape; self.elements = elements }

    var count: Int {
        switch elements {
        case .float(let v): v.count
        case .int(let v): v.count
        }
    }

    var isInteger: Bool { if case .int = elements { true } else { false } }

    var floats: [Float] {
        switch elements {
        case .float(let v): v
        case .int(let v): v.map(Float.init)
        }
    }

    var ints: [Int64] {
        switch elements {
        case .int(let v): v
        case .float(let v): v.map { Int64($0.isFinite ? $0.rounded(.towardZero) : 0) }
        }
    }

    /// Integer values as Int, for shapes and axes.
    var intValues: [Int] { ints.map { Int(clamping: $0) } }

    /// Applies an index map to either element kind: out[i] = self[source[i]].
    func gathering(_ source: [Int], shape: [Int]) -> ConstantValue {
        switch elements {
        case .float(let v): ConstantValue(shape: shape, floats: source.map { v[$0] })
        case .int(let v): ConstantValue(shape: shape, ints: source.map { v[$0] })
        }
    }

    func reshaped(_ shape: [Int]) -> ConstantValue { ConstantValue(shape: shape, elements: elements) }
}
