/// The 16 matrix products of a Winograd block, M_xi = U_xi V_xi, without sgemm's packing.
///
/// Why not sgemm: these products are small (K x C times C x ~100 tiles) and sgemm copies all
/// of V into its packed layout before multiplying. With 64 output channels that copy cost
/// about a third of the multiply (perf on ResNet-18: sgemm_oncopy 15% of the forward pass).
/// Here V is read where the input transform wrote it: each row holds one channel's values for
/// consecutive tiles, so 24 tiles are three 8-float loads, and a 4 x 24 block of M stays in
/// twelve AVX registers while the loop runs over channels.
///
/// c (m x n, ldc) = a (m x k, lda) * b (k x n, ldb); row-major; n a multiple of 24.
enum WinogradProduct {
    static let columnBlock = 24

    static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(n % columnBlock == 0)
        var row = 0
        while row + 4 <= m {
            for column in stride(from: 0, to: n, by: columnBlock) {
                block4x24(k: k, a: a + row * lda, lda: lda, b: b + column, ldb: ldb, c: c + row * ldc + column, ldc: ldc)
            }
            row += 4
        }
        while row < m {
            for column in stride(from: 0, to: n, by: columnBlock) {
                block1x24(k: k, a: a + row * lda, b: b + column, ldb: ldb, c: c + row * ldc + column)
            }
            row += 1
        }
    }

    private static func block4x24(k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                  c: UnsafeMutablePointer<Float>, ldc: Int) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()
        var bp = b, ap = a
        for _ in 0..<k {
            let b0 = SIMDAccess.load8(bp), b1 = SIMDAccess.load8(bp + 8), b2 = SIMDAccess.load8(bp + 16)
            let a0 = SIMD8(repeating: ap[0]), a1 = SIMD8(repeating: ap[lda])
            let a2 = SIMD8(repeating: ap[2 * lda]), a3 = SIMD8(repeating: ap[3 * lda])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1); c02 = c02.addingProduct(a0, b2)
            c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1); c12 = c12.addingProduct(a1, b2)
            c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1); c22 = c22.addingProduct(a2, b2)
            c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1); c32 = c32.addingProduct(a3, b2)
            bp += ldb
            ap += 1
        }
        SIMDAccess.store8(c00, c); SIMDAccess.store8(c01, c + 8); SIMDAccess.store8(c02, c + 16)
        SIMDAccess.store8(c10, c + ldc); SIMDAccess.store8(c11, c + ldc + 8); SIMDAccess.store8(c12, c + ldc + 16)
        SIMDAccess.store8(c20, c + 2 * ldc); SIMDAccess.store8(c21, c + 2 * ldc + 8); SIMDAccess.store8(c22, c + 2 * ldc + 16)
        SIMDAccess.store8(c30, c + 3 * ldc); SIMDAccess.store8(c31, c + 3 * ldc + 8); SIMDAccess.store8(c32, c + 3 * ldc + 16)
    }

    private static func block1x24(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
        var bp = b
        for i in 0..<k {
            let a0 = SIMD8(repeating: a[i])
            c0 = c0.addingProduct(a0, SIMDAccess.load8(bp)); c1 = c1.addingProduct(a0, SIMDAccess.load8(bp + 8)); c2 = c2.addingProduct(a0, SIMDAccess.load8(bp + 16))
            bp += ldb
        }
        SIMDAccess.store8(c0, c); SIMDAccess.store8(c1, c + 8); SIMDAccess.store8(c2, c + 16)
    }
}
