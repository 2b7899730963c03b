import Foundation

/// Unary activations: output has the input's shape, any rank.
///
/// Backward uses the saved input (the workspace keeps every activation the backward pass
/// crosses), so kinks are decided on x, as the ONNX definitions are written.
struct Activation: Operator {
    enum Kind: Sendable, Equatable {
        case relu
        case leakyRelu(alpha: Float)
        /// Clip(min, max); ReLU6 is Clip(0, 6).
        case clip(min: Float, max: Float)
        case sigmoid
        /// y = max(0, min(1, alpha * x + beta))
        case hardSigmoid(alpha: Float, beta: Float)
        /// y = x * HardSigmoid(x) with alpha = 1/6, beta = 1/2
        case hardSwish
    }

    let kind: Kind
    let count: Int
    var inPlaceInputs: [Int] { [0] }

    func forward(_ io: StepIO) {
        let x = io.input(0), y = io.output
        switch kind {
        case .relu:
            SIMDAccess.map(x, into: y, count: count) { FusedClamp.clamp($0, lower: 0, upper: .infinity) }
        case .clip(let lo, let hi):
            SIMDAccess.map(x, into: y, count: count) { FusedClamp.clamp($0, lower: lo, upper: hi) }
        case .leakyRelu(let alpha):
            for i in 0..<count { y[i] = x[i] >= 0 ? x[i] : alpha * x[i] }
        case .sigmoid:
            for i in 0..<count { y[i] = 1 / (1 + expf(-x[i])) }
        case .hardSigmoid(let alpha, let beta):
            for i in 0..<count { y[i] = min(max(alpha * x[i] + beta, 0), 1) }
        case .hardSwish:
            for i in 0..<count { y[i] = x[i] * min(max(x[i] / 6 + 0.5, 0), 1) }
        }
    }

    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let x = io.input(0), y = UnsafePointer(io.output), dy = io.outputGradient
        switch kind {
        case .relu:
            for i in 0..<count where x[i] > 0 { dx[i] += dy[i] }
        case .leakyRelu(let alpha):
            for i in 0..<count { dx[i] += x[i] >= 0 ? dy[i] : alpha * dy[i] }
        case .clip(let lo, let hi):
            for i in 0..<count where x[i] > lo && x[i] < hi { dx[i] += dy[i] }
        case .sigmoid:
            for i in 0..<count { dx[i] += dy[i] * y[i] * (1 - y[i]) }
        case .hardSigmoid(let alpha, let beta):
            for i in 0..<count {
                let t = alpha * x[i] + beta
                if t > 0 && t < 1 { dx[i] += alpha * dy[i] }
            }
        case .hardSwish:
            // d/dx [x * (x/6 + 1/2)] = x/3 + 1/2 inside (-3, 3); 0 below, 1 above.
            for i in 0..<count {
                let v = x[i]
                if v >= 3 { dx[i] += dy[i] } else if v > -3 { dx[i] += dy[i] * (v / 3 + 0.5) }
            }
        }
    }
}

/// Copies its input: Identity, Dropout in inference, Flatten, Reshape, Squeeze, Unsqueeze.
/// These only relabel a row-major buffer, so forward and backward are plain copies.
struct PassThrough: Operator {
    let count: Int

    func forward(_ io: StepIO) {
        io.output.update(from: io.input(0), count: count)
    }

    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let dy = io.outputGradient
        for i in 0..<count { dx[i] += dy[i] }
    }
}

/// Inference-mode BatchNormalization that could not be folded into a Conv:
/// input (N,C,...) -> output (N,C,...), y = x * scale[c] + shift[c].
struct ChannelAffine: Operator {
    let batch: Int, channels: Int, spatial: Int
    let scale: [Float], shift: [Float]
    var inPlaceInputs: [Int] { [0] }

    func forward(_ io: StepIO) {
        let x = io.input(0), y = io.output
        for n in 0..<batch {
            for c in 0..<channels {
                let base = (n * channels + c) * spatial
                let s = SIMD8<Float>(repeating: scale[c]), b = SIMD8<Float>(repeating: shift[c])
                SIMDAccess.map(x + base, into: y + base, count: spatial) { $0 * s + b }
            }
        }
    }

    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let dy = io.outputGradient
        for n in 0..<batch {
            for c in 0..<channels {
                let base = (n * channels + c) * spatial
                let s = scale[c]
                for i in 0..<spatial { dx[base + i] += dy[base + i] * s }
            }
        }
    }
}
