import COpenBLAS

/// Single-precision matrix products through OpenBLAS: the only place that calls BLAS.
///
/// Matrices are row-major. `C = alpha * op(A) * op(B) + beta * C`, where op(A) is m x k
/// and op(B) is k x n. `beta = 1` accumulates into C, which backward passes use for `+=`.
public enum GEMM {
    @inlinable
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if m == 1 {
            // One row (a classifier at batch 1): sgemv streams B once; sgemm would first pack
            // all of B (5 MB for a 1280 x 1000 layer) to multiply it by a single vector.
            let incx = Int32(transposeA ? lda : 1)
            if transposeB {  // B is stored n x k: y = B x
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), a, incx, beta, c, 1)
            } else {         // B is stored k x n: y = B^T x
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(ldb), a, incx, beta, c, 1)
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}

/// OpenBLAS's own settings, reported by benchmarks and set once at start-up.
public enum BLASRuntime {
    /// The kernel family OpenBLAS picked for this CPU (e.g. "Haswell", "SkylakeX").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// NOTES.md: two workers that each run a 2-thread sgemm gain nothing and are unfair
    /// to each other, so the service sets one BLAS thread per worker when workers >= cores.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
