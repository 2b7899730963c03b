/// ONNX Slice semantics: per axis a start, an end and a step (negative steps walk backwards);
/// starts and ends count from the end when negative and are clamped, as the spec says
/// (clamped to [0, dim] for positive steps and [-1, dim-1] for negative ones).
struct SliceRanges {
    let inputShape: [Int]
    var starts: [Int], steps: [Int]
    var outputShape: [Int]

    init(shape: [Int], starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?) throws {
        let rank = shape.count
        let axes = try (axes ?? Array(0..<starts.count)).map { try ShapeInference.axis($0, rank: rank) }
        let steps = steps ?? Array(repeating: 1, count: starts.count)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw ShapeInference.Failure(reason: "Slice starts/ends/axes/steps lengths differ")
        }
        inputShape = shape
        self.starts = Array(repeating: 0, count: rank)
        self.steps = Array(repeating: 1, count: rank)
        outputShape = shape
        for (k, axis) in axes.enumerated() {
            let dim = shape[axis], step = steps[k]
            guard step != 0 else { throw ShapeInference.Failure(reason: "Slice step 0") }
            func resolve(_ v: Int) -> Int {
                let r = v < 0 ? v + dim : v
                return step > 0 ? min(max(r, 0), dim) : min(max(r, -1), dim - 1)
            }
            let start = resolve(starts[k]), end = resolve(ends[k])
            let count = step > 0 ? max(0, (end - start + step - 1) / step) : max(0, (start - end + (-step) - 1) / (-step))
            self.starts[axis] = start
            self.steps[axis] = step
            outputShape[axis] = count
        }
    }

    /// Row-major input index of every output element.
    func sourceIndices() -> [Int] {
        let strides = ShapeInference.strides(inputShape)
        let count = outputShape.reduce(1, *)
        var out = [Int](), counter = [Int](repeating: 0, count: outputShape.count)
        out.reserveCapacity(count)
        for _ in 0..<count {
            var index = 0
            for a in 0..<counter.count { index += (starts[a] + counter[a] * steps[a]) * strides[a] }
            out.append(index)
            var a = counter.count - 1
            while a >= 0 { counter[a] += 1; if counter[a] < outputShape[a] { break }; counter[a] = 0; a -= 1 }
        }
        return out
    }
}
