/// y += a * x over short runs, the inner loop of the depthwise backward pass.
///
/// SIMD8 with `addingProduct`: one FMA per vector, since the kernels are built for a CPU with
/// FMA (Package.swift); for the baseline x86-64 target it would become a call to fmaf per element.
enum Axpy {
    @inline(__always)
    static func add(_ count: Int, _ a: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>) {
        let av = SIMD8<Float>(repeating: a)
        var i = 0
        while i + 8 <= count {
            let xv = SIMDAccess.load8(x + i)
            let yv = SIMDAccess.load8(y + i)
            SIMDAccess.store8(yv.addingProduct(av, xv), y + i)
            i += 8
        }
        while i < count { y[i] += a * x[i]; i += 1 }
    }

    /// y[i * stride] += a * x[i]
    @inline(__always)
    static func scatterStrided(_ count: Int, _ a: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, stride: Int) {
        for i in 0..<count { y[i * stride] += a * x[i] }
    }
}
