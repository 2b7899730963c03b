/// ReLU or Clip applied by the Conv that produces its input, in the pass that adds the bias,
/// instead of by a separate step that reads and writes the whole tensor again.
///
/// y = min(max(x, lower), upper); ReLU is (0, +inf), ReLU6 is (0, 6). Both have a derivative
/// that the output alone decides: dy/dx = 1 where lower < y < upper and 0 elsewhere, since
/// y = lower exactly when x <= lower (and likewise at the top). PyTorch's hardtanh and relu
/// backward use the same open interval, so a kink gets gradient 0 as in the unfused graph.
struct FusedClamp: Sendable, Equatable {
    let lower: Float, upper: Float

    /// The clamp an activation is, if its derivative follows from its output.
    init?(_ kind: Activation.Kind) {
        switch kind {
        case .relu: (lower, upper) = (0, .infinity)
        case .clip(let lo, let hi) where lo < hi: (lower, upper) = (lo, hi)
        default: return nil
        }
    }

    /// y = clamp(y) in place over `count` floats.
    /// A plain loop: the compiler turns it into vmaxps/vminps. (SIMD8's `clamped` checks its
    /// bounds on every call and ran several times slower here.)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int) {
        let lo = lower, hi = upper
        for i in 0..<count { y[i] = min(max(y[i], lo), hi) }
    }

    @inline(__always)
    func apply(_ v: SIMD8<Float>) -> SIMD8<Float> { Self.clamp(v, lower: lower, upper: upper) }

    /// min(max(v, lower), upper) lane by lane, as ONNX Clip: `upper` everywhere when lower >= upper,
    /// and NaN stays NaN.
    @inline(__always)
    static func clamp(_ v: SIMD8<Float>, lower: Float, upper: Float) -> SIMD8<Float> {
        let lo = SIMD8<Float>(repeating: lower), hi = SIMD8<Float>(repeating: upper)
        return v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)
    }

    /// dy = dy where lower < y < upper, else 0, in place: the gradient at the clamp's input.
    func maskGradient(_ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] = y[i] > lower && y[i] < upper ? dy[i] : 0 }
    }
}
