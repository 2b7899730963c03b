/// Constant-mode Pad: input (d_0..d_r) -> output (d_i + begin_i + end_i). Negative pads crop.
/// Backward takes the gradient of the positions that came from the input.
struct Pad: Operator {
    let inputShape: [Int], outputShape: [Int]
    let begins: [Int]
    let value: Float

    func forward(_ io: StepIO) {
        let x = io.input(0), y = io.output
        y.update(repeating: value, count: outputShape.reduce(1, *))
        forEachCopiedRun { o, i, n in (y + o).update(from: x + i, count: n) }
    }

    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let dy = io.outputGradient
        forEachCopiedRun { o, i, n in for k in 0..<n { dx[i + k] += dy[o + k] } }
    }

    /// Calls body(outputOffset, inputOffset, count) for each contiguous run along the last axis
    /// of input elements that land inside the output.
    private func forEachCopiedRun(_ body: (Int, Int, Int) -> Void) {
        let rank = inputShape.count
        guard rank > 0, inputShape.allSatisfy({ $0 > 0 }) else { return }
        let inStrides = strides(inputShape), outStrides = strides(outputShape)
        let last = rank - 1
        let firstIn = max(0, -begins[last]), endIn = min(inputShape[last], outputShape[last] - begins[last])
        guard endIn > firstIn else { return }
        var counter = [Int](repeating: 0, count: max(rank - 1, 0))
        let rows = inputShape.dropLast().reduce(1, *)
        for _ in 0..<rows {
            var inOffset = firstIn, outOffset = firstIn + begins[last], inside = true
            for axis in 0..<(rank - 1) {
                let o = counter[axis] + begins[axis]
                if o < 0 || o >= outputShape[axis] { inside = false; break }
                inOffset += counter[axis] * inStrides[axis]
                outOffset += o * outStrides[axis]
            }
            if inside { body(outOffset, inOffset, endIn - firstIn) }
            var axis = rank - 2
            while axis >= 0 {
                counter[axis] += 1
                if counter[axis] < inputShape[axis] { break }
                counter[axis] = 0; axis -= 1
            }
        }
    }

    private func strides(_ dims: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: dims.count)
        for axis in stride(from: dims.count - 2, through: 0, by: -1) { s[axis] = s[axis + 1] * dims[axis + 1] }
        return s
    }
}
