import Foundation

/// Softmax over the last `axisSize` elements of each row: input (rows, axisSize) -> same.
/// (Opset 13 normalises one axis; the compiler moves nothing and only supports the last
/// axis, or the flattened tail of opsets < 13, which are both contiguous rows.)
struct Softmax: Operator {
    let rows: Int, axisSize: Int

    func forward(_ io: StepIO) {
        let x = io.input(0), y = io.output
        for r in 0..<rows {
            let src = x + r * axisSize, dst = y + r * axisSize
            var peak = -Float.infinity
            for i in 0..<axisSize { peak = max(peak, src[i]) }
            var sum: Float = 0
            for i in 0..<axisSize { dst[i] = expf(src[i] - peak); sum += dst[i] }
            for i in 0..<axisSize { dst[i] /= sum }
        }
    }

    /// dx = y * (dy - sum(dy * y))
    func backward(_ io: StepIO) {
        guard let dx = io.inputGradient(0) else { return }
        let y = io.output, dy = io.outputGradient
        for r in 0..<rows {
            let base = r * axisSize
            var dot: Float = 0
            for i in 0..<axisSize { dot += dy[base + i] * y[base + i] }
            for i in 0..<axisSize { dx[base + i] += y[base + i] * (dy[base + i] - dot) }
        }
    }
}
