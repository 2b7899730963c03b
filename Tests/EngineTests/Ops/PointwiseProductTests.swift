import Testing
import TestSupport
@testable import Engine

/// PointwiseProduct alone, against the product summed in double precision. Its place in Conv
/// (threads, batches, gradients) is covered by ConvTests and the model fixtures.
struct PointwiseProductTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let m: Int, k: Int, p: Int
        var rows: Range<Int>? = nil, columns: Range<Int>? = nil
        var padding = 0
        var clamp: FusedClamp? = nil
        var bias = true
        var testDescription: String {
            "M \(m) K \(k) P \(p) rows \(rows ?? 0..<m) columns \(columns ?? 0..<p)\(padding > 0 ? " ld +\(padding)" : "")"
                + "\(clamp.map { " clamp \($0.lower)...\($0.upper)" } ?? "")\(bias ? "" : " no bias")"
        }
    }

    static let relu = FusedClamp(.relu), relu6 = FusedClamp(.clip(min: 0, max: 6))

    static let cases: [Case] = [
        Case(m: 6, k: 16, p: 16),                                  // one tile
        Case(m: 1, k: 1, p: 1, bias: false),                       // one dot column, one row
        Case(m: 7, k: 3, p: 49, clamp: relu),                      // 3 strips + 1 dot column; a 1-row panel
        Case(m: 13, k: 20, p: 196, clamp: relu6),                  // 12 strips + 4 dot columns
        Case(m: 5, k: 9, p: 21),                                   // a padded strip (5 columns past 16)
        Case(m: 12, k: 300, p: 40, clamp: relu),                   // two chunks of k; Y holds partial sums
        Case(m: 9, k: 600, p: 3, bias: false),                     // three chunks, dot columns only
        Case(m: 8, k: 7, p: 2, clamp: relu),                       // dot columns over a k not a multiple of 4, a 2-row panel
        Case(m: 6, k: 8, p: 600),                                  // one block of 600 columns (few k: wide blocks)
        Case(m: 7, k: 300, p: 600, clamp: relu),                   // three blocks of 208 columns, two chunks each
        Case(m: 5, k: 40, p: 3300),                                // three blocks of 1104 columns at 40 k
        Case(m: 20, k: 30, p: 100, rows: 6..<20, columns: 32..<100, padding: 5),  // a thread's share, strided rows
        Case(m: 20, k: 30, p: 100, rows: 12..<18, columns: 0..<96, clamp: relu6),
    ]

    @Test(arguments: cases)
    func productEqualsDoublePrecisionSum(_ c: Case) {
        var random = SplitMix64(state: UInt64(c.m * 1_000_003 + c.k * 1_009 + c.p))
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(Double(random.next() % 2001) / 1000 - 1) } }
        let ldx = c.p + c.padding, ldy = c.p + c.padding
        let weight = values(c.m * c.k), x = values(c.k * ldx), bias = c.bias ? values(c.m) : nil
        let sentinel: Float = 1234.5
        var y = [Float](repeating: sentinel, count: c.m * ldy)
        let rows = c.rows ?? 0..<c.m, columns = c.columns ?? 0..<c.p
        var scratch = [Float](repeating: .nan, count: PointwiseProduct.scratchCount(k: c.k, columns: columns.count))
        PanelWeights.pack(weight, rows: c.m, depth: c.k).withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { x in
                PointwiseProduct.multiply(rows: rows, columns: columns, k: c.k, panels: w.baseAddress!, bias: bias, clamp: c.clamp,
                                          x: x.baseAddress!, ldx: ldx, y: &y, ldy: ldy, scratch: &scratch)
            }
        }
        var worst = 0.0
        for r in 0..<c.m {
            for j in 0..<ldy {
                let value = y[r * ldy + j]
                guard rows.contains(r) && columns.contains(j) else {
                    #expect(value == sentinel, "(\(r), \(j)) is outside the share and was written")
                    continue
                }
                var sum = Double(bias?[r] ?? 0)
                for i in 0..<c.k { sum += Double(weight[r * c.k + i]) * Double(x[i * ldx + j]) }
                if let clamp = c.clamp { sum = min(max(sum, Double(clamp.lower)), Double(clamp.upper)) }
                worst = largerError(worst, abs(Double(value) - sum))
            }
        }
        // Float sums of k products of values in [-1, 1]: about k * 2^-24 relative error at worst.
        #expect(worst < 1e-6 * Double(c.k + 1), "largest error \(worst)")
    }

    /// Backward's C = W^T dY from the same panels: rows of C are k of W, summed over W's rows
    /// in chunks of whole panels. Shares and accumulation as Conv's backward asks for them.
    /// The scratch is followed by a guard that must stay untouched.
    @Test(arguments: [
        (m: 6, k: 6, p: 16, rows: 0..<6, columns: 0..<16, accumulating: false),      // one tile
        (m: 7, k: 9, p: 49, rows: 0..<9, columns: 0..<49, accumulating: true),       // a 1-row panel of W, a 3-row tile of C, a dot column
        (m: 260, k: 13, p: 20, rows: 0..<13, columns: 0..<20, accumulating: false),  // two chunks (258 + 2 rows of W)
        (m: 300, k: 7, p: 256, rows: 0..<7, columns: 0..<256, accumulating: false),  // the fullest packed block: 258 rows x 256 columns
        (m: 30, k: 40, p: 100, rows: 12..<30, columns: 32..<100, accumulating: true), // a thread's share
        (m: 13, k: 5, p: 3, rows: 0..<5, columns: 0..<3, accumulating: false),       // dot columns only
    ])
    func transposedProductEqualsDoublePrecisionSum(_ c: (m: Int, k: Int, p: Int, rows: Range<Int>, columns: Range<Int>, accumulating: Bool)) {
        var random = SplitMix64(state: UInt64(c.m * 7919 + c.k * 31 + c.p))
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(Double(random.next() % 2001) / 1000 - 1) } }
        let weight = values(c.m * c.k), dy = values(c.m * c.p), start = values(c.k * c.p)
        var result = start
        let scratchCount = PointwiseProduct.transposedScratchCount(m: c.m, columns: c.columns.count), guardCount = 64
        var scratch = [Float](repeating: .nan, count: scratchCount + guardCount)
        PanelWeights.pack(weight, rows: c.m, depth: c.k).withUnsafeBufferPointer { w in
            dy.withUnsafeBufferPointer { dy in
                PointwiseProduct.multiplyTransposed(rows: c.rows, columns: c.columns, m: c.m, k: c.k, panels: w.baseAddress!,
                                                    dy: dy.baseAddress!, lddy: c.p, c: &result, ldc: c.p, accumulating: c.accumulating,
                                                    scratch: &scratch)
            }
        }
        var worst = 0.0
        for i in 0..<c.k {
            for j in 0..<c.p {
                let value = result[i * c.p + j]
                guard c.rows.contains(i) && c.columns.contains(j) else {
                    #expect(value == start[i * c.p + j], "(\(i), \(j)) is outside the share and was written")
                    continue
                }
                var sum = c.accumulating ? Double(start[i * c.p + j]) : 0
                for r in 0..<c.m { sum += Double(weight[r * c.k + i]) * Double(dy[r * c.p + j]) }
                worst = largerError(worst, abs(Double(value) - sum))
            }
        }
        #expect(worst < 1e-6 * Double(c.m + 1), "largest error \(worst)")
        #expect(scratch[scratchCount...].allSatisfy { $0.isNaN }, "wrote past its scratch")
    }

    /// Through the strip kernel (16 columns) and the dot columns (2), as FusedClamp.clamp.
    @Test(arguments: [2, 16])
    func clampLetsNaNThrough(columns: Int) {
        let weight: [Float] = [1, 1]
        var x = [Float](repeating: 1, count: 2 * columns)
        x[0] = .nan; x[2 * columns - 1] = .nan  // column 0 reads NaN at k 0, the last column at k 1
        var y = [Float](repeating: 0, count: columns)
        var scratch = [Float](repeating: 0, count: PointwiseProduct.scratchCount(k: 2, columns: columns))
        PanelWeights.pack(weight, rows: 1, depth: 2).withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { x in
                PointwiseProduct.multiply(rows: 0..<1, columns: 0..<columns, k: 2, panels: w.baseAddress!, bias: [0], clamp: FusedClamp(.relu),
                                          x: x.baseAddress!, ldx: columns, y: &y, ldy: columns, scratch: &scratch)
            }
        }
        #expect(y.first!.isNaN && y.last!.isNaN)
        #expect(y.dropFirst().dropLast().allSatisfy { $0 == 2 })
    }
}
