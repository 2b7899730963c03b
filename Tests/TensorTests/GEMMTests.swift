import Testing
@testable import Tensor

struct GEMMTests {
    /// Row-major op(A) (m x k) * op(B) (k x n) against a double-precision triple loop, for every
    /// transposition, with leading dimensions wider than the matrices; m = 1 takes the sgemv path.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)], [5, 1])
    func multiplyMatchesTripleLoop(_ t: (Bool, Bool), m: Int) {
        let (n, k) = (7, 3)
        let lda = (t.0 ? m : k) + 2, ldb = (t.1 ? k : n) + 1
        let a = (0..<((t.0 ? k : m) * lda)).map { Float($0 % 5) - 2 }, b = (0..<((t.1 ? n : k) * ldb)).map { Float($0 % 7) * 0.5 - 1 }
        var c = [Float](repeating: 1, count: m * n)
        GEMM.multiply(transposeA: t.0, transposeB: t.1, m: m, n: n, k: k, alpha: 2, a: a, lda: lda, b: b, ldb: ldb, beta: 1, c: &c, ldc: n)
        for i in 0..<m { for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let av = t.0 ? a[p * lda + i] : a[i * lda + p], bv = t.1 ? b[j * ldb + p] : b[p * ldb + j]
                sum += Double(av) * Double(bv)
            }
            #expect(abs(Double(c[i * n + j]) - (2 * sum + 1)) < 1e-5)
        } }
    }

    @Test func shapeStridesAreRowMajor() {
        let shape: Shape = [2, 3, 4]
        #expect(shape.strides == [12, 4, 1])
        #expect(shape.elementCount == 24)
        #expect(shape.withBatch(5).dims == [5, 3, 4])
        #expect(Shape([]).elementCount == 1)
    }

    @Test func floatBufferIsAlignedAndZeroed() {
        let buffer = FloatBuffer(count: 100)
        #expect(Int(bitPattern: buffer.pointer) % 64 == 0)
        #expect((0..<100).allSatisfy { buffer.pointer[$0] == 0 })
    }

    @Test func blasReportsItsCore() {
        #expect(!BLASRuntime.coreName.isEmpty)
    }
}
