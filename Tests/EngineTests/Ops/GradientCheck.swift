import TestSupport
import Testing
@testable import Engine

/// Checks an operator's backward against central finite differences of
/// L = sum_i r_i * y_i for a random r, the way ggml's test-backend-ops does.
///
/// Points where the one-sided differences disagree sit on a kink (ReLU at 0, Clip at its
/// bounds, a max-pool tie): there the derivative is undefined and the point is skipped.
struct GradientCheck {
    let op: any Operator
    var inputs: [[Float]]
    let outputCount: Int
    /// Which inputs receive a gradient.
    var differentiable: [Bool]
    /// Threads the operator may split its work over.
    var parallelism = Parallelism.serial
    /// What each input's gradient holds before backward adds to it (another reader's share).
    var gradientStart: Float = 0

    init(_ op: any Operator, inputs: [[Float]], outputCount: Int, differentiable: [Bool]? = nil) {
        self.op = op
        self.inputs = inputs
        self.outputCount = outputCount
        self.differentiable = differentiable ?? Array(repeating: true, count: inputs.count)
    }

    /// Runs forward on the current inputs and returns the output.
    func forward() -> [Float] {
        run(outputGradient: nil).output
    }

    /// Largest |numeric - analytic| / max(1, |numeric|) over all checked points, and how many were checked.
    func worstError(epsilon: Float = 1e-2, seed: UInt64 = 7) -> (error: Double, checked: Int) {
        var generator = SplitMix64(state: seed)
        let r = (0..<outputCount).map { _ in Float.random(in: -1...1, using: &generator) }
        let analytic = run(outputGradient: r).inputGradients
        var worst = 0.0, checked = 0
        for (index, input) in inputs.enumerated() where differentiable[index] {
            for i in input.indices {
                let center = loss(r, replacing: index, at: i, with: input[i])
                let plus = loss(r, replacing: index, at: i, with: input[i] + epsilon)
                let minus = loss(r, replacing: index, at: i, with: input[i] - epsilon)
                let right = (plus - center) / Double(epsilon), left = (center - minus) / Double(epsilon)
                if abs(right - left) > 1e-2 * max(1, abs(right)) { continue }  // a kink
                let numeric = (plus - minus) / (2 * Double(epsilon))
                worst = largerError(worst, abs(numeric - Double(analytic[index][i])) / max(1, abs(numeric)))
                checked += 1
            }
        }
        return (worst, checked)
    }

    /// What backward adds to each differentiable input for the given dL/dy (empty for the others).
    func inputGradients(outputGradient: [Float]) -> [[Float]] {
        run(outputGradient: outputGradient).inputGradients
    }

    private func loss(_ r: [Float], replacing index: Int, at i: Int, with value: Float) -> Double {
        var copy = self
        copy.inputs[index][i] = value
        let y = copy.forward()
        return zip(r, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    private func run(outputGradient: [Float]?) -> (output: [Float], inputGradients: [[Float]]) {
        let count = inputs.count
        var buffers = inputs.map { input -> UnsafeMutablePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(input.count, 1))
            p.initialize(from: input, count: input.count)
            return p
        }
        let output = UnsafeMutablePointer<Float>.allocate(capacity: outputCount)
        output.initialize(repeating: 0, count: outputCount)
        buffers.append(output)
        let grads = (0...count).map { i -> UnsafeMutablePointer<Float>? in
            guard i == count || differentiable[i] else { return nil }
            let size = i == count ? outputCount : inputs[i].count
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(size, 1))
            p.initialize(repeating: i == count ? 0 : gradientStart, count: size)
            return p
        }
        // The layout a Workspace gives: the first thread's scratch, then each other thread's
        // (smaller: Operator.helperScratchCount), then a guard band that no thread may touch.
        let scratchCount = op.scratchCount + (parallelism.threads - 1) * op.helperScratchCount, guardBand = 64
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount + guardBand)
        (scratch + scratchCount).initialize(repeating: 1234.5, count: guardBand)
        let values = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: count + 1)
        values.initialize(from: buffers, count: count + 1)
        let gradients = UnsafeMutablePointer<UnsafeMutablePointer<Float>?>.allocate(capacity: count + 1)
        gradients.initialize(from: grads, count: count + 1)
        defer {
            buffers.forEach { $0.deallocate() }
            grads.forEach { $0?.deallocate() }
            scratch.deallocate(); values.deallocate(); gradients.deallocate()
        }
        let io = StepIO(inputIDs: Array(0..<count), outputID: count, values: values, gradients: gradients, scratch: scratch,
                        parallelism: parallelism, scratchPerThread: op.scratchCount, scratchPerHelper: op.helperScratchCount)
        func expectGuardBandUntouched(_ pass: String) {
            let band = UnsafeBufferPointer(start: scratch + scratchCount, count: guardBand)
            #expect(band.allSatisfy { $0 == 1234.5 }, "\(pass) wrote past the scratch a Workspace would give")
        }
        op.forward(io)
        expectGuardBandUntouched("forward")
        let y = Array(UnsafeBufferPointer(start: output, count: outputCount))
        guard let outputGradient else { return (y, []) }
        grads[count]!.update(from: outputGradient, count: outputCount)
        op.backward(io)
        expectGuardBandUntouched("backward")
        let inputGradients = (0..<count).map { i in grads[i].map { Array(UnsafeBufferPointer(start: $0, count: inputs[i].count)) } ?? [] }
        return (y, inputGradients)
    }
}


func randomValues(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    var generator = SplitMix64(state: seed)
    return (0..<count).map { _ in Float.random(in: range, using: &generator) }
}
