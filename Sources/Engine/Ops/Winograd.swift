/// Winograd's minimal filtering F(2x2, 3x3) for 3x3 convolutions with stride 1 (Lavin & Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016, eq. 8): each 2x2 block of output
/// ("tile") is
///
///     Y = A^T [ (G g G^T) (.) (B^T d B) ] A
///
/// with d the 4x4 input patch under the tile and g the 3x3 kernel. Summed over input channels,
/// the elementwise product becomes 16 independent matrix products, one per position xi of the
/// 4x4 transformed tile: M_xi (K x P) = U_xi (K x C) * V_xi (C x P) over P tiles. That is 16
/// multiplies per tile and channel pair where the direct form needs 36: 2.25x fewer flops in
/// the products (WinogradProduct), paid for by the input and output transforms (adds only) and
/// by U, 16/9 the size of the kernel, kept beside it (backward still uses the plain kernel).
///
/// forward only: input (N, C, H, W), U (16, K, C), bias (K) -> output (N, K, OH, OW)
///
/// Tiles are taken in blocks of whole tile rows, sized so that the block's V and M (the
/// per-thread scratch) stay within 1 MB; blocks are what threads share.
struct Winograd3x3: Sendable {
    let geometry: ConvGeometry
    let tilesHigh: Int, tilesWide: Int

    /// What this kernel computes: 3x3, stride 1, undilated, ungrouped, padding up to 2.
    static func supports(_ g: ConvGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.dilationHeight == 1 && g.dilationWidth == 1 && g.groups == 1 && g.padLeft <= 2 && g.padTop <= 2
    }

    /// Where the compiler uses it: output planes of at least 28 x 28. U costs 16 C K floats
    /// beside the kernel's 9 C K, while the multiplies saved grow with the plane: at 28 x 28 and
    /// above (ResNet's first two stages) the trade is good; at 14 x 14 a ResNet-50 would carry
    /// 24 MB more for a few percent of its time.
    static func pays(for g: ConvGeometry) -> Bool { supports(g) && g.outputPlane >= 28 * 28 }

    init(_ g: ConvGeometry) {
        geometry = g
        tilesHigh = (g.outputHeight + 1) / 2
        tilesWide = (g.outputWidth + 1) / 2
    }

    /// U = G g G^T for every (k, c), stored as 16 matrices (K, C): u[(xi * K + k) * C + c].
    /// G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. Computed in double, rounded once.
    static func transformWeights(_ weight: [Float], outputChannels: Int, inputChannels: Int) -> [Float] {
        let G: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        var u = [Float](repeating: 0, count: 16 * outputChannels * inputChannels)
        for k in 0..<outputChannels {
            for c in 0..<inputChannels {
                let g = (0..<9).map { Double(weight[(k * inputChannels + c) * 9 + $0]) }
                for i in 0..<4 {
                    for j in 0..<4 {
                        var sum = 0.0
                        for a in 0..<3 { for b in 0..<3 { sum += G[i][a] * g[a * 3 + b] * G[j][b] } }
                        u[((i * 4 + j) * outputChannels + k) * inputChannels + c] = Float(sum)
                    }
                }
            }
        }
        return u
    }

    /// Blocks of tile rows: V and M of a block (16 (C + K) floats per tile) within 1 MB, about
    /// what im2col's largest tile takes, and a block count that is a multiple of `threads`.
    func blocks(threads: Int) -> RowBlocks {
        let g = geometry
        let fitting = max(1, (1 << 18) / (16 * (g.inputChannels + g.outputChannels) * tilesWide))
        return RowBlocks(rows: tilesHigh, limit: fitting, threads: threads)
    }

    /// Width of the zero-padded copy of the input rows one block reads: whole groups of 8
    /// tiles (SIMD8 lanes), each reading 2 * 8 + 2 columns.
    private var paddedWidth: Int { (tilesWide + 7) / 8 * 16 + 2 }

    /// Row stride of V and M for a block of `tiles` tiles: whole column blocks of the product.
    static func leadingDimension(tiles: Int) -> Int {
        (tiles + WinogradProduct.columnBlock - 1) / WinogradProduct.columnBlock * WinogradProduct.columnBlock
    }

    /// V and M of the largest block, then the padded rows of one input channel.
    var scratchCount: Int {
        let rows = blocks(threads: 1).largest
        return 16 * (geometry.inputChannels + geometry.outputChannels) * Self.leadingDimension(tiles: rows * tilesWide)
            + (2 * rows + 2) * paddedWidth
    }

    func forward(_ io: StepIO, transformedWeight u: UnsafePointer<Float>, bias: [Float]?, clamp: FusedClamp?) {
        let g = geometry, x = io.input(0), y = io.output
        let blocks = blocks(threads: io.parallelism.threads)
        for n in 0..<g.batch {
            let input = x + n * g.inputChannels * g.inputPlane
            let output = y + n * g.outputChannels * g.outputPlane
            io.parallelism.forEachPiece(of: blocks.count) { blockRange, thread in
                for block in blockRange {
                    runBlock(blocks.rows(ofBlock: block), input: input, u: u, bias: bias, clamp: clamp, output: output,
                             scratch: io.scratch(forThread: thread))
                }
            }
        }
    }

    /// One block of tile rows: V = B^T d B per channel, the 16 products, then A^T M A. V and M
    /// rows are `ld` apart; V's columns past the block's tiles are zeroed (the products run over
    /// them, and stale values could be denormals), and M's are never read.
    private func runBlock(_ tileRows: Range<Int>, input: UnsafePointer<Float>, u: UnsafePointer<Float>, bias: [Float]?,
                          clamp: FusedClamp?, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, tiles = tileRows.count * tilesWide, ld = Self.leadingDimension(tiles: tiles)
        let channels = g.inputChannels, kernels = g.outputChannels
        let v = scratch, m = scratch + 16 * channels * ld, padded = m + 16 * kernels * ld
        for c in 0..<channels {
            copyPaddedRows(tileRows, plane: input + c * g.inputPlane, into: padded)
            transformInput(tileRows.count, padded: padded, into: v + c * ld, xiStride: channels * ld)
        }
        if ld > tiles { for row in 0..<(16 * channels) { (v + row * ld + tiles).update(repeating: 0, count: ld - tiles) } }
        for xi in 0..<16 {
            WinogradProduct.multiply(m: kernels, n: ld, k: channels, a: u + xi * kernels * channels, lda: channels,
                                     b: v + xi * channels * ld, ldb: ld, c: m + xi * kernels * ld, ldc: ld)
        }
        for k in 0..<kernels {
            transformOutput(tileRows, m: m + k * ld, xiStride: kernels * ld, bias: bias?[k] ?? 0, clamp: clamp,
                            plane: output + k * g.outputPlane)
        }
    }

    /// Input rows 2 * firstTileRow - padTop ..< + 2 * rows + 2 of one channel, zero outside the
    /// image, shifted right by padLeft columns.
    private func copyPaddedRows(_ tileRows: Range<Int>, plane: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let g = geometry, width = paddedWidth
        let columns = min(g.inputWidth, width - g.padLeft)
        for r in 0..<(2 * tileRows.count + 2) {
            let row = padded + r * width
            let ih = 2 * tileRows.lowerBound - g.padTop + r
            guard ih >= 0 && ih < g.inputHeight else {
                row.update(repeating: 0, count: width)
                continue
            }
            row.update(repeating: 0, count: g.padLeft)
            (row + g.padLeft).update(from: plane + ih * g.inputWidth, count: columns)
            (row + g.padLeft + columns).update(repeating: 0, count: width - g.padLeft - columns)
        }
    }

    /// V_xi for 8 neighbouring tiles at a time: the tiles' columns 2t + j are the even (j = 0, 2)
    /// and odd (j = 1, 3) lanes of 16 floats read at 2t and 2t + 2. B^T d B is adds only.
    private func transformInput(_ rows: Int, padded: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, xiStride: Int) {
        let width = paddedWidth
        for tr in 0..<rows {
            for first in stride(from: 0, to: tilesWide, by: 8) {
                func patchRow(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                    let row = padded + (2 * tr + i) * width + 2 * first
                    let near = SIMDAccess.load16(row), far = SIMDAccess.load16(row + 2)
                    return (near.evenHalf, near.oddHalf, far.evenHalf, far.oddHalf)
                }
                let d0 = patchRow(0), d1 = patchRow(1), d2 = patchRow(2), d3 = patchRow(3)
                // B^T d, one column j at a time: c_j = (t_0j, t_1j, t_2j, t_3j).
                let c0 = Self.inputTransform(d0.0, d1.0, d2.0, d3.0), c1 = Self.inputTransform(d0.1, d1.1, d2.1, d3.1)
                let c2 = Self.inputTransform(d0.2, d1.2, d2.2, d3.2), c3 = Self.inputTransform(d0.3, d1.3, d2.3, d3.3)
                let count = min(8, tilesWide - first), base = tr * tilesWide + first
                func write(_ i: Int, _ row: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) {
                    let values = Self.inputTransform(row.0, row.1, row.2, row.3)  // (B^T d) B along row i
                    SIMDAccess.store(values.0, v + (4 * i) * xiStride + base, count: count)
                    SIMDAccess.store(values.1, v + (4 * i + 1) * xiStride + base, count: count)
                    SIMDAccess.store(values.2, v + (4 * i + 2) * xiStride + base, count: count)
                    SIMDAccess.store(values.3, v + (4 * i + 3) * xiStride + base, count: count)
                }
                write(0, (c0.0, c1.0, c2.0, c3.0))
                write(1, (c0.1, c1.1, c2.1, c3.1))
                write(2, (c0.2, c1.2, c2.2, c3.2))
                write(3, (c0.3, c1.3, c2.3, c3.3))
            }
        }
    }

    /// B^T (a, b, c, d) with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
    @inline(__always)
    private static func inputTransform(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ d: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        (a - c, b + c, c - b, b - d)
    }

    /// A^T (a, b, c, d) with A^T = [1 1 1 0; 0 1 -1 -1].
    @inline(__always)
    private static func outputTransform(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ d: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>) {
        (a + b + c, b - c - d)
    }

    /// Y = A^T M A plus bias and the fused clamp, written to the tiles' 2x2 outputs (the last
    /// row or column is dropped when the output size is odd).
    private func transformOutput(_ tileRows: Range<Int>, m: UnsafePointer<Float>, xiStride: Int, bias: Float,
                                 clamp: FusedClamp?, plane: UnsafeMutablePointer<Float>) {
        let g = geometry, lower = clamp?.lower ?? -.infinity, upper = clamp?.upper ?? .infinity
        for (tr, tileRow) in tileRows.enumerated() {
            for first in stride(from: 0, to: tilesWide, by: 8) {
                let count = min(8, tilesWide - first), base = tr * tilesWide + first
                // A^T M, one column j at a time: s_j = (s_0j, s_1j).
                func column(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>) {
                    func at(_ i: Int) -> SIMD8<Float> { SIMDAccess.load(m + (4 * i + j) * xiStride + base, count: count) }
                    return Self.outputTransform(at(0), at(1), at(2), at(3))
                }
                let s0 = column(0), s1 = column(1), s2 = column(2), s3 = column(3)
                for r in 0..<2 {
                    let oh = 2 * tileRow + r
                    guard oh < g.outputHeight else { break }
                    let (left, right) = r == 0 ? Self.outputTransform(s0.0, s1.0, s2.0, s3.0) : Self.outputTransform(s0.1, s1.1, s2.1, s3.1)
                    let row = plane + oh * g.outputWidth + 2 * first
                    let pairs = min(count, (g.outputWidth - 2 * first) / 2)  // tiles whose right column exists
                    for lane in 0..<pairs {
                        row[2 * lane] = min(max(left[lane] + bias, lower), upper)
                        row[2 * lane + 1] = min(max(right[lane] + bias, lower), upper)
                    }
                    if pairs < count { row[2 * pairs] = min(max(left[pairs] + bias, lower), upper) }
                }
            }
        }
    }
}
