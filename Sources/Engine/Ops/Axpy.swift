/// y += a * x over short runs, the inner loop of the direct (depthwise) kernels.
///
/// Written with SIMD8 loads and a separate multiply and add: NOTES.md found that on the
/// default x86-64 target `addingProduct` becomes a call to fmaf per element.
enum Axpy {
    @inline(__always)
    static func add(_ count: Int, _ a: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>) {
        let av = SIMD8<Float>(repeating: a)
        var i = 0
        while i + 8 <= count {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            let yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: yv + av * xv, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { y[i] += a * x[i]; i += 1 }
    }

    /// y[i] += a * x[i * stride]
    @inline(__always)
    static func addStrided(_ count: Int, _ a: Float, _ x: UnsafePointer<Float>, stride: Int, to y: UnsafeMutablePointer<Float>) {
        for i in 0..<count { y[i] += a * x[i * stride] }
    }

    /// y[i * stride] += a * x[i]
    @inline(__always)
    static func scatterStrided(_ count: Int, _ a: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, stride: Int) {
        for i in 0..<count { y[i * stride] += a * x[i] }
    }
}
