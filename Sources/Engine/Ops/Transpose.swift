/// Transpose with a permutation: input (d_0, ..., d_r) -> output (d_perm[0], ..., d_perm[r]).
/// Backward scatters through the same index map, which is the inverse permutation.
struct Transpose: Operator {
    let inputShape: [Int]
    let permutation: [Int]

    func forward(_ io: StepIO) {
        let x = io.input(0), y = io.output
        forEachPair { o, i in y[o] = x[i] }
    }

    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let dy = io.outputGradient
        forEachPair { o, i in dx[i] += dy[o] }
    }

    /// Calls body(outputIndex, inputIndex) for every element, output in row-major order.
    private func forEachPair(_ body: (Int, Int) -> Void) {
        let rank = inputShape.count
        var inputStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { inputStrides[axis] = inputStrides[axis + 1] * inputShape[axis + 1] }
        let outShape = permutation.map { inputShape[$0] }
        let strides = permutation.map { inputStrides[$0] }
        let count = inputShape.reduce(1, *)
        var counter = [Int](repeating: 0, count: rank), index = 0
        for o in 0..<count {
            body(o, index)
            var axis = rank - 1
            while axis >= 0 {
                counter[axis] += 1; index += strides[axis]
                if counter[axis] < outShape[axis] { break }
                index -= strides[axis] * outShape[axis]; counter[axis] = 0
                axis -= 1
            }
        }
    }
}
