import Tensor

/// Gemm and MatMul: Y (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C,
/// with C broadcast to (M, N). MatMul is the case alpha = 1, no C, no transposes;
/// a batched MatMul repeats it `batchCount` times (B is shared when it is 2-D).
struct MatrixProduct: Operator {
    let m: Int, n: Int, k: Int
    var transposeA = false, transposeB = false
    var alpha: Float = 1, beta: Float = 0
    var batchCount = 1
    /// Elements between consecutive batch items of B; 0 when one B serves every item.
    var strideB = 0
    /// How C (input 2) broadcasts onto (M, N); nil without C.
    var biasLayout: BroadcastLayout? = nil

    private var strideA: Int { m * k }
    private var strideY: Int { m * n }
    private var lda: Int { transposeA ? m : k }
    private var ldb: Int { transposeB ? k : n }

    func forward(_ io: StepIO) {
        let a = io.input(0), b = io.input(1), y = io.output
        var accumulate: Float = 0
        if let biasLayout {
            let c = io.input(2)
            biasLayout.forEach { o, _, ic in y[o] = beta * c[ic] }
            accumulate = 1
        }
        // Threads share the output's columns, Y[:, band] = op(A) op(B)[:, band]: a classifier at
        // batch 1 is a matrix-vector product that streams its whole weight (5 MB for 1280 x 1000)
        // for little arithmetic (MobileNetV2's, at 2 threads: 0.34-0.43 ms alone, 0.27-0.29 ms
        // shared). Small products stay whole.
        let threads = m * n * k >= Self.splitThreshold ? io.parallelism : .serial
        threads.forEachPiece(of: n, granule: 16) { band, _ in
            let columns = transposeB ? band.lowerBound * ldb : band.lowerBound  // of op(B)
            for item in 0..<batchCount {
                GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: band.count, k: k, alpha: alpha,
                              a: a + item * strideA, lda: lda, b: b + item * strideB + columns, ldb: ldb,
                              beta: accumulate, c: y + item * strideY + band.lowerBound, ldc: n)
            }
        }
    }

    /// Multiply-adds below which one thread does the whole product (a hand-off costs microseconds).
    static let splitThreshold = 1 << 18

    /// dA = alpha * dY * op(B)^T, dB = alpha * op(A)^T * dY, dC = beta * sum of dY over broadcast axes,
    /// each written in the operand's stored orientation and accumulated (beta = 1 in sgemm).
    func backward(_ io: StepIO) {
        let a = io.input(0), b = io.input(1), dy = io.outputGradient
        for item in 0..<batchCount {
            let gradOut = dy + item * strideY
            if let da = io.inputGradient(0) {
                if !transposeA, sparseRowsAdded(gradOut, b: b + item * strideB, to: da + item * strideA) {
                    // dY was mostly zeros: done without the dense product.
                } else if transposeA {
                    GEMM.multiply(transposeA: transposeB, transposeB: true, m: k, n: m, k: n, alpha: alpha,
                                  a: b + item * strideB, lda: ldb, b: gradOut, ldb: n, beta: 1, c: da + item * strideA, ldc: m)
                } else {
                    GEMM.multiply(transposeB: !transposeB, m: m, n: k, k: n, alpha: alpha,
                                  a: gradOut, lda: n, b: b + item * strideB, ldb: ldb, beta: 1, c: da + item * strideA, ldc: k)
                }
            }
            if let db = io.inputGradient(1) {
                if transposeB {
                    GEMM.multiply(transposeA: true, transposeB: transposeA, m: n, n: k, k: m, alpha: alpha,
                                  a: gradOut, lda: n, b: a + item * strideA, ldb: lda, beta: 1, c: db + item * strideB, ldc: k)
                } else {
                    GEMM.multiply(transposeA: !transposeA, m: k, n: n, k: m, alpha: alpha,
                                  a: a + item * strideA, lda: lda, b: gradOut, ldb: n, beta: 1, c: db + item * strideB, ldc: n)
                }
            }
        }
        if let biasLayout, let dc = io.inputGradient(2) {
            biasLayout.forEach { o, _, ic in dc[ic] += beta * dy[o] }
        }
    }

    /// dA (M, K) += alpha * dY (M, N) * op(B)^T for a dY with few non-zero entries, one row of
    /// op(B)^T per entry; false, having written nothing, when more than one in eight is non-zero.
    ///
    /// Grad-CAM starts backward from a one-hot dY (dy^c/dy = e_c), so at a classifier dA is row
    /// c of the weight times alpha: the dense product would stream the whole weight (5 MB for
    /// 1280 x 1000, 8 MB for 2048 x 1000) to multiply it by 999 zeros. A zero entry adds nothing
    /// either way, so the sums are those of the dense product.
    private func sparseRowsAdded(_ dy: UnsafePointer<Float>, b: UnsafePointer<Float>, to da: UnsafeMutablePointer<Float>) -> Bool {
        var nonZero = 0
        for i in 0..<(m * n) where dy[i] != 0 { nonZero += 1 }
        guard nonZero * 8 <= m * n else { return false }
        for row in 0..<m {
            for j in 0..<n where dy[row * n + j] != 0 {
                let scale = alpha * dy[row * n + j]
                if transposeB {
                    // op(B)^T = B, stored (N, K): row j is contiguous.
                    Axpy.add(k, scale, b + j * ldb, to: da + row * k)
                } else {
                    // B stored (K, N): row j of B^T is column j of B.
                    for kk in 0..<k { da[row * k + kk] += scale * b[kk * ldb + j] }
                }
            }
        }
        return true
    }
}
