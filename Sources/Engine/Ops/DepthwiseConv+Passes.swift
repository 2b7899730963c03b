extension DepthwiseConv {
    /// Four output rows of eight columns, starting at `at` in the padded plane: bias plus every
    /// tap. `rowPattern` is 10 * stride + kernel rows for the patterns with a dedicated pass
    /// (see `forward`), 0 for the general loop over taps.
    ///
    /// The dedicated passes exist because the general loop loads every tap of every output row
    /// (36 loads for 36 FMAs at 3x3), while neighbouring rows share input rows: at stride 1 a
    /// pass of four rows reads six input rows, at stride 2 nine. Loading each once per kernel
    /// column makes the pass FMA-bound instead of load-bound. Each row still adds its taps in
    /// kernel-row order within a column.
    @inline(__always)
    static func fourRows(_ rowPattern: Int, _ at: UnsafeMutablePointer<Float>, offsets: UnsafeBufferPointer<Int>, taps: Int, kernelWidth: Int,
                         rowStep: Int, phaseWidth: Int, weights k: UnsafePointer<Float>, bias b: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        var a0 = b, a1 = b, a2 = b, a3 = b
        switch rowPattern {
        case 13:
            // Stride 1, three kernel rows: six input rows, 18 loads for 36 FMAs.
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2) = (tap(k, 0, j, kernelWidth), tap(k, 1, j, kernelWidth), tap(k, 2, j, kernelWidth))
                let v0 = SIMDAccess.load8(p), v1 = SIMDAccess.load8(p + rowStep), v2 = SIMDAccess.load8(p + 2 &* rowStep)
                let v3 = SIMDAccess.load8(p + 3 &* rowStep), v4 = SIMDAccess.load8(p + 4 &* rowStep), v5 = SIMDAccess.load8(p + 5 &* rowStep)
                a0 = a0.addingProduct(v0, k0).addingProduct(v1, k1).addingProduct(v2, k2)
                a1 = a1.addingProduct(v1, k0).addingProduct(v2, k1).addingProduct(v3, k2)
                a2 = a2.addingProduct(v2, k0).addingProduct(v3, k1).addingProduct(v4, k2)
                a3 = a3.addingProduct(v3, k0).addingProduct(v4, k1).addingProduct(v5, k2)
            }
        case 15:
            // The same with five kernel rows: eight input rows, 40 loads for 100 FMAs.
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2, k3, k4) = (tap(k, 0, j, kernelWidth), tap(k, 1, j, kernelWidth), tap(k, 2, j, kernelWidth),
                                            tap(k, 3, j, kernelWidth), tap(k, 4, j, kernelWidth))
                let v0 = SIMDAccess.load8(p), v1 = SIMDAccess.load8(p + rowStep), v2 = SIMDAccess.load8(p + 2 &* rowStep)
                let v3 = SIMDAccess.load8(p + 3 &* rowStep)
                a0 = a0.addingProduct(v0, k0).addingProduct(v1, k1).addingProduct(v2, k2).addingProduct(v3, k3)
                a1 = a1.addingProduct(v1, k0).addingProduct(v2, k1).addingProduct(v3, k2)
                a2 = a2.addingProduct(v2, k0).addingProduct(v3, k1)
                a3 = a3.addingProduct(v3, k0)
                let v4 = SIMDAccess.load8(p + 4 &* rowStep), v5 = SIMDAccess.load8(p + 5 &* rowStep)
                let v6 = SIMDAccess.load8(p + 6 &* rowStep), v7 = SIMDAccess.load8(p + 7 &* rowStep)
                a0 = a0.addingProduct(v4, k4)
                a1 = a1.addingProduct(v4, k3).addingProduct(v5, k4)
                a2 = a2.addingProduct(v4, k2).addingProduct(v5, k3).addingProduct(v6, k4)
                a3 = a3.addingProduct(v4, k1).addingProduct(v5, k2).addingProduct(v6, k3).addingProduct(v7, k4)
            }
        case 23:
            // Stride 2, three kernel rows: nine input rows, not twelve.
            let s = phaseWidth
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2) = (tap(k, 0, j, kernelWidth), tap(k, 1, j, kernelWidth), tap(k, 2, j, kernelWidth))
                let v0 = SIMDAccess.load8(p), v1 = SIMDAccess.load8(p + s), v2 = SIMDAccess.load8(p + 2 &* s)
                let v3 = SIMDAccess.load8(p + 3 &* s), v4 = SIMDAccess.load8(p + 4 &* s)
                a0 = a0.addingProduct(v0, k0).addingProduct(v1, k1).addingProduct(v2, k2)
                a1 = a1.addingProduct(v2, k0).addingProduct(v3, k1).addingProduct(v4, k2)
                let v5 = SIMDAccess.load8(p + 5 &* s), v6 = SIMDAccess.load8(p + 6 &* s)
                let v7 = SIMDAccess.load8(p + 7 &* s), v8 = SIMDAccess.load8(p + 8 &* s)
                a2 = a2.addingProduct(v4, k0).addingProduct(v5, k1).addingProduct(v6, k2)
                a3 = a3.addingProduct(v6, k0).addingProduct(v7, k1).addingProduct(v8, k2)
            }
        case 25:
            // Stride 2, five kernel rows: eleven input rows, not twenty.
            let s = phaseWidth
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2, k3, k4) = (tap(k, 0, j, kernelWidth), tap(k, 1, j, kernelWidth), tap(k, 2, j, kernelWidth),
                                            tap(k, 3, j, kernelWidth), tap(k, 4, j, kernelWidth))
                let v0 = SIMDAccess.load8(p), v1 = SIMDAccess.load8(p + s), v2 = SIMDAccess.load8(p + 2 &* s)
                let v3 = SIMDAccess.load8(p + 3 &* s), v4 = SIMDAccess.load8(p + 4 &* s)
                a0 = a0.addingProduct(v0, k0).addingProduct(v1, k1).addingProduct(v2, k2).addingProduct(v3, k3).addingProduct(v4, k4)
                a1 = a1.addingProduct(v2, k0).addingProduct(v3, k1).addingProduct(v4, k2)
                a2 = a2.addingProduct(v4, k0)
                let v5 = SIMDAccess.load8(p + 5 &* s), v6 = SIMDAccess.load8(p + 6 &* s)
                a1 = a1.addingProduct(v5, k3).addingProduct(v6, k4)
                a2 = a2.addingProduct(v5, k1).addingProduct(v6, k2)
                a3 = a3.addingProduct(v6, k0)
                let v7 = SIMDAccess.load8(p + 7 &* s), v8 = SIMDAccess.load8(p + 8 &* s)
                a2 = a2.addingProduct(v7, k3).addingProduct(v8, k4)
                a3 = a3.addingProduct(v7, k1).addingProduct(v8, k2)
                let v9 = SIMDAccess.load8(p + 9 &* s), v10 = SIMDAccess.load8(p + 10 &* s)
                a3 = a3.addingProduct(v9, k3).addingProduct(v10, k4)
            }
        default:
            for t in 0..<taps {
                let p = at + offsets[t]
                let tap = SIMD8<Float>(repeating: k[t])
                a0 = a0.addingProduct(SIMDAccess.load8(p), tap)
                a1 = a1.addingProduct(SIMDAccess.load8(p + rowStep), tap)
                a2 = a2.addingProduct(SIMDAccess.load8(p + 2 &* rowStep), tap)
                a3 = a3.addingProduct(SIMDAccess.load8(p + 3 &* rowStep), tap)
            }
        }
        return (a0, a1, a2, a3)
    }

    /// Weight (i, j) of a kernel with `kernelWidth` columns, in all eight lanes.
    @inline(__always)
    private static func tap(_ k: UnsafePointer<Float>, _ i: Int, _ j: Int, _ kernelWidth: Int) -> SIMD8<Float> {
        SIMD8(repeating: k[i &* kernelWidth &+ j])
    }
}
