/// Concat along one axis: inputs (..., d_i, ...) -> output (..., sum d_i, ...).
/// Viewed as outer x (d_i * inner) row blocks, forward copies each block in turn and
/// backward hands each input its own block of the gradient.
struct Concat: Operator {
    let outer: Int
    /// d_i * inner for each input.
    let blockSizes: [Int]

    func forward(_ io: StepIO) {
        let y = io.output, total = blockSizes.reduce(0, +)
        var offset = 0
        for (i, block) in blockSizes.enumerated() {
            let x = io.input(i)
            for o in 0..<outer { (y + o * total + offset).update(from: x + o * block, count: block) }
            offset += block
        }
    }

    func backward(_ io: StepIO) {
        let dy = io.outputGradient, total = blockSizes.reduce(0, +)
        var offset = 0
        for (i, block) in blockSizes.enumerated() {
            defer { offset += block }
            guard let dx = io.inputGradient(i) else { continue }
            for o in 0..<outer {
                let src = dy + o * total + offset, dst = dx + o * block
                for j in 0..<block { dst[j] += src[j] }
            }
        }
    }
}
