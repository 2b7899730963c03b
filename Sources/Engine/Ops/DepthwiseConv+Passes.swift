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
                let (k0, k1, k2) = threeTaps(k, column: j, kernelWidth)
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
                let (k0, k1, k2, k3, k4) = fiveTaps(k, column: j, kernelWidth)
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
                let (k0, k1, k2) = threeTaps(k, column: j, kernelWidth)
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
                let (k0, k1, k2, k3, k4) = fiveTaps(k, column: j, kernelWidth)
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

    /// Kernel column j's weights of a 3-row kernel, top to bottom, each in all eight lanes.
    @inline(__always)
    private static func threeTaps(_ k: UnsafePointer<Float>, column j: Int, _ kernelWidth: Int)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        (tap(k, 0, j, kernelWidth), tap(k, 1, j, kernelWidth), tap(k, 2, j, kernelWidth))
    }

    /// Kernel column j's weights of a 5-row kernel, top to bottom, each in all eight lanes.
    @inline(__always)
    private static func fiveTaps(_ k: UnsafePointer<Float>, column j: Int, _ kernelWidth: Int)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        (tap(k, 0, j, kernelWidth), tap(k, 1, j, kernelWidth), tap(k, 2, j, kernelWidth), tap(k, 3, j, kernelWidth), tap(k, 4, j, kernelWidth))
    }
}

extension DepthwiseConv {
    /// Eight output rows at stride 1 or 2 with 3 or 5 kernel rows, as `fourRows` does four: each
    /// input row is loaded once per kernel column and added to every output row whose window
    /// holds it, in kernel-row order for each output row (the same sums as `fourRows`, in the
    /// same order). `inputRowStep` is the distance between input rows in the padded plane.
    ///
    /// Why eight: each output row's sum is a chain of dependent multiply-adds, one per tap. With
    /// four chains the FMA latency (4 cycles) leaves the two FMA units half idle; eight chains
    /// keep them busy. Eight accumulators, five weights and one input row fit in the 16 AVX
    /// registers. Each pattern has its own loop over kernel columns with the column's weights
    /// broadcast once: one loop with the pattern switched inside it ran slower than `fourRows`.
    @inline(__always)
    static func eightRows(kernelRows: Int, stride: Int, _ at: UnsafeMutablePointer<Float>, offsets: UnsafeBufferPointer<Int>,
                          kernelWidth: Int, inputRowStep: Int, weights k: UnsafePointer<Float>, bias b: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        var a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b
        @inline(__always) func add(_ a: inout SIMD8<Float>, _ v: SIMD8<Float>, _ w: SIMD8<Float>) { a = a.addingProduct(v, w) }
        switch (kernelRows, stride) {
        case (3, 1):
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2) = threeTaps(k, column: j, kernelWidth)
                @inline(__always) func row(_ r: Int) -> SIMD8<Float> { SIMDAccess.load8(p + r &* inputRowStep) }
                // Input row r adds taps 2, 1 and 0 to output rows r - 2, r - 1 and r.
                @inline(__always) func three(_ r: Int, _ x: inout SIMD8<Float>, _ y: inout SIMD8<Float>, _ z: inout SIMD8<Float>) {
                    let v = row(r); add(&x, v, k2); add(&y, v, k1); add(&z, v, k0)
                }
                var v = row(0); add(&a0, v, k0)
                v = row(1); add(&a0, v, k1); add(&a1, v, k0)
                three(2, &a0, &a1, &a2); three(3, &a1, &a2, &a3); three(4, &a2, &a3, &a4)
                three(5, &a3, &a4, &a5); three(6, &a4, &a5, &a6); three(7, &a5, &a6, &a7)
                v = row(8); add(&a6, v, k2); add(&a7, v, k1)
                v = row(9); add(&a7, v, k2)
            }
        case (5, 1):
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2, k3, k4) = fiveTaps(k, column: j, kernelWidth)
                @inline(__always) func row(_ r: Int) -> SIMD8<Float> { SIMDAccess.load8(p + r &* inputRowStep) }
                // Input row r adds taps 4 ... 0 to output rows r - 4 ... r.
                @inline(__always) func five(_ r: Int, _ w: inout SIMD8<Float>, _ x: inout SIMD8<Float>, _ y: inout SIMD8<Float>,
                                            _ z: inout SIMD8<Float>, _ u: inout SIMD8<Float>) {
                    let v = row(r); add(&w, v, k4); add(&x, v, k3); add(&y, v, k2); add(&z, v, k1); add(&u, v, k0)
                }
                var v = row(0); add(&a0, v, k0)
                v = row(1); add(&a0, v, k1); add(&a1, v, k0)
                v = row(2); add(&a0, v, k2); add(&a1, v, k1); add(&a2, v, k0)
                v = row(3); add(&a0, v, k3); add(&a1, v, k2); add(&a2, v, k1); add(&a3, v, k0)
                five(4, &a0, &a1, &a2, &a3, &a4); five(5, &a1, &a2, &a3, &a4, &a5)
                five(6, &a2, &a3, &a4, &a5, &a6); five(7, &a3, &a4, &a5, &a6, &a7)
                v = row(8); add(&a4, v, k4); add(&a5, v, k3); add(&a6, v, k2); add(&a7, v, k1)
                v = row(9); add(&a5, v, k4); add(&a6, v, k3); add(&a7, v, k2)
                v = row(10); add(&a6, v, k4); add(&a7, v, k3)
                v = row(11); add(&a7, v, k4)
            }
        case (3, 2):
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2) = threeTaps(k, column: j, kernelWidth)
                @inline(__always) func row(_ r: Int) -> SIMD8<Float> { SIMDAccess.load8(p + r &* inputRowStep) }
                // Input row 2m adds tap 2 to output row m - 1 and tap 0 to row m; row 2m + 1 tap 1 to row m.
                @inline(__always) func pair(_ m: Int, _ x: inout SIMD8<Float>, _ y: inout SIMD8<Float>) {
                    let v = row(2 &* m); add(&x, v, k2); add(&y, v, k0)
                    add(&y, row(2 &* m &+ 1), k1)
                }
                add(&a0, row(0), k0); add(&a0, row(1), k1)
                pair(1, &a0, &a1); pair(2, &a1, &a2); pair(3, &a2, &a3); pair(4, &a3, &a4)
                pair(5, &a4, &a5); pair(6, &a5, &a6); pair(7, &a6, &a7)
                add(&a7, row(16), k2)
            }
        case (5, 2):
            for j in 0..<kernelWidth {
                let p = at + offsets[j]
                let (k0, k1, k2, k3, k4) = fiveTaps(k, column: j, kernelWidth)
                @inline(__always) func row(_ r: Int) -> SIMD8<Float> { SIMDAccess.load8(p + r &* inputRowStep) }
                // Input row 2m adds taps 4, 2 and 0 to output rows m - 2, m - 1 and m; row
                // 2m + 1 taps 3 and 1 to rows m - 1 and m.
                @inline(__always) func pair(_ m: Int, _ x: inout SIMD8<Float>, _ y: inout SIMD8<Float>, _ z: inout SIMD8<Float>) {
                    var v = row(2 &* m); add(&x, v, k4); add(&y, v, k2); add(&z, v, k0)
                    v = row(2 &* m &+ 1); add(&y, v, k3); add(&z, v, k1)
                }
                add(&a0, row(0), k0); add(&a0, row(1), k1)
                var v = row(2); add(&a0, v, k2); add(&a1, v, k0)
                v = row(3); add(&a0, v, k3); add(&a1, v, k1)
                pair(2, &a0, &a1, &a2); pair(3, &a1, &a2, &a3); pair(4, &a2, &a3, &a4)
                pair(5, &a3, &a4, &a5); pair(6, &a4, &a5, &a6); pair(7, &a5, &a6, &a7)
                v = row(16); add(&a6, v, k4); add(&a7, v, k2)
                add(&a7, row(17), k3)
                add(&a7, row(18), k4)
            }
        default:
            preconditionFailure("eight-row passes are for 3 or 5 kernel rows at stride 1 or 2 (usesEightRowPasses)")
        }
        return (a0, a1, a2, a3, a4, a5, a6, a7)
    }
}
