/// Shape rules shared by constant folding and runtime operators.
enum ShapeInference {
    struct Failure: Error { let reason: String }

    /// A negative axis counts from the end (ONNX convention).
    static func axis(_ axis: Int, rank: Int) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < max(rank, 1) else { throw Failure(reason: "axis \(axis) is out of range for rank \(rank)") }
        return resolved
    }

    /// ONNX Reshape: 0 copies the input dimension (unless allowzero), -1 is inferred.
    static func reshape(_ input: [Int], to target: [Int], allowZero: Bool = false) throws -> [Int] {
        var shape = target
        let count = input.reduce(1, *)
        var inferred: Int? = nil
        for (i, d) in target.enumerated() {
            if d == 0 && !allowZero {
                guard i < input.count else { throw Failure(reason: "reshape copies dimension \(i) of a rank-\(input.count) input") }
                shape[i] = input[i]
            } else if d == -1 {
                guard inferred == nil else { throw Failure(reason: "reshape target \(target) has two -1") }
                inferred = i
            } else if d < 0 {
                throw Failure(reason: "reshape target \(target) has a negative dimension")
            }
        }
        if let i = inferred {
            let known = shape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else { throw Failure(reason: "cannot reshape \(input) to \(target)") }
            shape[i] = count / known
        }
        guard shape.reduce(1, *) == count else { throw Failure(reason: "cannot reshape \(input) (\(count) values) to \(target)") }
        return shape
    }

    /// Flatten: (d_0 ... d_axis-1) x (d_axis ...).
    static func flatten(_ input: [Int], axis: Int) -> [Int] {
        [input.prefix(axis).reduce(1, *), input.dropFirst(axis).reduce(1, *)]
    }

    static func unsqueeze(_ input: [Int], axes: [Int]) throws -> [Int] {
        let rank = input.count + axes.count
        let resolved = Set(try axes.map { try axis($0, rank: rank) })
        guard resolved.count == axes.count else { throw Failure(reason: "repeated axis in \(axes)") }
        var source = input.makeIterator()
        return (0..<rank).map { resolved.contains($0) ? 1 : source.next() ?? 1 }
    }

    /// Without axes, removes every dimension of size 1.
    static func squeeze(_ input: [Int], axes: [Int]?) throws -> [Int] {
        guard let axes, !axes.isEmpty else { return input.filter { $0 != 1 } }
        let resolved = Set(try axes.map { try axis($0, rank: input.count) })
        for a in resolved where input[a] != 1 { throw Failure(reason: "cannot squeeze axis \(a) of size \(input[a])") }
        return input.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
    }

    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for a in stride(from: shape.count - 2, through: 0, by: -1) { s[a] = s[a + 1] * shape[a + 1] }
        return s
    }
}
