/// Direct kernels for convolutions with one input channel per group (depthwise, with an
/// optional channel multiplier M/g). im2col would build a k = kh*kw GEMM per channel,
/// which spends more time packing than multiplying.
///
/// input (N, C, H, W), weight (M, 1, kh, kw), bias (M) -> output (N, M, OH, OW), M = C * multiplier
///
/// Forward reads a zero-padded, stride-phased copy of each input plane, so every tap of eight
/// neighbouring outputs is one contiguous load with no bounds test, and keeps four or eight
/// output rows in registers per pass. Backward runs one multiply-add (axpy) per output row and
/// tap over the output columns whose input column is inside the image: the padding is decided
/// once per run.
enum DepthwiseConv {
    /// Output rows `fourRows` computes together (the general loop, and the last rows of a plane
    /// that runs passes of eight): four independent accumulators hide part of the FMA latency
    /// that a single running sum per vector would wait on (each tap's add depends on the last),
    /// and each broadcast tap weight is used four times.
    static let rowsPerPass = 4

    /// Stride 1 or 2 with 3 or 5 kernel rows (dilation 1 down the columns) runs passes of eight
    /// rows (`eightRows`), which keep eight independent sums in flight instead of four, and
    /// passes of four (`fourRows`) for the last four rows or fewer. Alternating per run
    /// (`bench --profile`, 1 thread, the depthwise layers' best pass of 200): EfficientNet-Lite0
    /// 2.089 -> 1.785 ms, MobileNetV2 1.586 -> 1.423 ms; most stride-1 layers gained 10-28%, the
    /// stride-2 ones 1-10% (their padded-plane copy is most of their time).
    static func usesEightRowPasses(_ g: ConvGeometry) -> Bool {
        g.dilationHeight == 1 && (g.strideHeight == 1 || g.strideHeight == 2) && (g.kernelHeight == 3 || g.kernelHeight == 5)
    }

    /// Rows of the largest pass the geometry runs.
    static func largestPass(_ g: ConvGeometry) -> Int { usesEightRowPasses(g) ? 8 : rowsPerPass }

    /// Where forward keeps its zero-padded copy of one input plane. With stride s the plane is
    /// split into s column phases (phase p holds padded columns p, p + s, p + 2s, ...), so that
    /// tap (i, j) of eight neighbouring outputs is one contiguous load at any stride. Rows reach
    /// past the last output row's window so a pass of `largestPass` rows never tests bounds, and
    /// columns reach one vector past the last output so a partial vector reads zeros.
    struct PaddedPlane: Sendable {
        let rows: Int, phaseWidth: Int, phases: Int
        /// Offset of tap (i, j) from output (0, 0) of the same phase plane, for each tap in order.
        let tapOffsets: [Int]

        init(_ g: ConvGeometry) {
            let pass = DepthwiseConv.largestPass(g)
            let passes = (g.outputHeight + pass - 1) / pass
            let lastRow = (passes * pass - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight
            rows = max(g.padTop + g.inputHeight, lastRow + 1)
            phases = g.strideWidth
            let vectors = (g.outputWidth + 7) / 8
            let lastColumn = vectors * 8 - 1 + (g.kernelWidth - 1) * g.dilationWidth / g.strideWidth
            phaseWidth = max((g.padLeft + g.inputWidth - 1) / g.strideWidth, lastColumn) + 1
            var offsets = [Int]()
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let column = j * g.dilationWidth
                    offsets.append((column % g.strideWidth) * rows * phaseWidth
                                   + i * g.dilationHeight * phaseWidth + column / g.strideWidth)
                }
            }
            tapOffsets = offsets
        }

        var count: Int { phases * rows * phaseWidth }

        /// Copies input plane `x` into the phases; padding cells are never written, so they
        /// keep the zeros the caller put there once.
        func fill(from x: UnsafePointer<Float>, _ g: ConvGeometry, into plane: UnsafeMutablePointer<Float>) {
            for ih in 0..<g.inputHeight {
                let source = x + ih * g.inputWidth
                let row = plane + (ih + g.padTop) * phaseWidth
                if phases == 1 {
                    copyRow(source, count: g.inputWidth, to: row + g.padLeft)
                    continue
                }
                if phases == 2 {
                    fillTwoPhases(row: source, count: g.inputWidth, firstColumn: g.padLeft,
                                  even: row, odd: row + rows * phaseWidth)
                    continue
                }
                for phase in 0..<phases {
                    // The first input column whose padded column lands in this phase.
                    let first = ((phase - g.padLeft) % phases + phases) % phases
                    let destination = row + phase * rows * phaseWidth + (first + g.padLeft) / phases
                    var k = 0
                    for iw in stride(from: first, to: g.inputWidth, by: phases) { destination[k] = source[iw]; k &+= 1 }
                }
            }
        }
    }

    /// A row of a few floats (7 to 112 here): eight at a time, the last eight overlapping the
    /// ones before, inline; memmove's call and size dispatch cost more than such a copy. Rows
    /// of 4 to 7 floats move as two groups of four that overlap, where a loop moved them one by
    /// one: the 7 x 7 stride-1 layers took 0.84-0.91 of their time (EfficientNet-Lite0's 1152
    /// channels, MobileNetV2's 960; `bench --profile`, alternating per run, 1 and 2 threads).
    @inline(__always)
    private static func copyRow(_ source: UnsafePointer<Float>, count: Int, to destination: UnsafeMutablePointer<Float>) {
        guard count >= 8 else {
            guard count >= 4 else {
                for i in 0..<count { destination[i] = source[i] }
                return
            }
            let last = count - 4
            let head = UnsafeRawPointer(source).loadUnaligned(as: SIMD4<Float>.self)
            let tail = UnsafeRawPointer(source + last).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(destination).storeBytes(of: head, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(destination + last).storeBytes(of: tail, as: SIMD4<Float>.self)
            return
        }
        var i = 0
        while i &+ 8 < count {
            SIMDAccess.store8(SIMDAccess.load8(source + i), destination + i)
            i &+= 8
        }
        SIMDAccess.store8(SIMDAccess.load8(source + count - 8), destination + count - 8)
    }

    /// Stride 2, the common case: sixteen input columns split into their even and odd halves
    /// with two shuffles instead of sixteen scalar moves; then eight at a time. Each width ends
    /// with one more group that ends at the row's end (or one short: groups start at an even
    /// column), overlapping the group before and rewriting its values, where a loop moved up to
    /// fifteen one by one (a 14-column row, the input of a 7 x 7 output, had no group at all).
    /// MobileNetV2 at 1 thread, alternating per pass (`bench --profile`): its 14 x 14 -> 7 x 7
    /// layer 0.73-0.82 of its time, its 28 x 28 -> 14 x 14 one 0.84-0.91.
    private static func fillTwoPhases(row source: UnsafePointer<Float>, count: Int, firstColumn: Int,
                                      even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>) {
        var iw = 0
        if firstColumn & 1 == 1, count > 0 { odd[firstColumn >> 1] = source[0]; iw = 1 }
        // From here input column iw lands on padded column firstColumn + iw, which is even at
        // iw = start and so at every even distance from it.
        let start = iw
        func groupOf16(at i: Int) {
            let v = SIMDAccess.load16(source + i), half = (firstColumn &+ i) >> 1
            SIMDAccess.store8(v.evenHalf, even + half)
            SIMDAccess.store8(v.oddHalf, odd + half)
        }
        func groupOf8(at i: Int) {
            let v = SIMDAccess.load8(source + i), half = (firstColumn &+ i) >> 1
            UnsafeMutableRawPointer(even + half).storeBytes(of: v.evenHalf, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(odd + half).storeBytes(of: v.oddHalf, as: SIMD4<Float>.self)
        }
        func groups(of width: Int, _ move: (Int) -> Void) {
            guard count &- start >= width else { return }
            while iw &+ width <= count { move(iw); iw &+= width }
            // From an even column the group ends at count or one short, so a single column
            // left is moved alone rather than by a group that would end one short again.
            if count &- iw > 1 {
                let last = start &+ ((count &- width &- start) & ~1)
                move(last)
                iw = last &+ width
            }
        }
        groups(of: 16, groupOf16)
        groups(of: 8, groupOf8)
        while iw < count {
            let column = firstColumn &+ iw
            (column & 1 == 0 ? even : odd)[column >> 1] = source[iw]
            iw &+= 1
        }
    }

    /// The padded plane.
    static func scratchCount(_ g: ConvGeometry) -> Int { PaddedPlane(g).count }

    /// Each input plane is copied once into its padded phases; then each pass builds four or
    /// eight output rows eight columns at a time in registers, one FMA per tap and row.
    /// Computes the outputs of input channels `channels` only, so threads can share a layer.
    static func forward(_ g: ConvGeometry, layout: PaddedPlane, channels: Range<Int>, input: UnsafePointer<Float>, weight: [Float], bias: [Float]?,
                        clamp: FusedClamp?, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let multiplier = g.outputChannelsPerGroup
        let plane = scratch
        plane.update(repeating: 0, count: layout.count)
        let rowStep = g.strideHeight &* layout.phaseWidth
        let width = g.outputWidth, height = g.outputHeight, taps = layout.tapOffsets.count
        let kernelWidth = g.kernelWidth
        // Neighbouring output rows read overlapping input rows (dilation 1 down the columns): for
        // stride 1 or 2 and 3 or 5 kernel rows (10 * stride + rows), a pass loads each input row
        // it needs once per kernel column and uses it for every output row that reads it.
        let eightRowPasses = usesEightRowPasses(g)
        let rowPattern = eightRowPasses ? 10 * g.strideHeight + g.kernelHeight : 0
        weight.withUnsafeBufferPointer { w in
            layout.tapOffsets.withUnsafeBufferPointer { offsets in
                for n in 0..<g.batch {
                    for c in channels {
                        layout.fill(from: input + (n * g.inputChannels + c) * g.inputPlane, g, into: plane)
                        for m in (c * multiplier)..<((c + 1) * multiplier) {
                            let y = output + (n * g.outputChannels + m) * g.outputPlane
                            let k = w.baseAddress! + m * taps
                            let b = SIMD8<Float>(repeating: bias?[m] ?? 0)
                            // Stores four rows of a pass from output row `row` (`rows` of them real).
                            @inline(__always) func store(_ a: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), row: Int, rows: Int, at: Int) {
                                var (a0, a1, a2, a3) = a
                                if let clamp { a0 = clamp.apply(a0); a1 = clamp.apply(a1); a2 = clamp.apply(a2); a3 = clamp.apply(a3) }
                                let first = y + (row &* width &+ at)
                                if width >= 8 {
                                    SIMDAccess.store8(a0, first)
                                    if rows > 1 { SIMDAccess.store8(a1, first + width) }
                                    if rows > 2 { SIMDAccess.store8(a2, first + 2 &* width) }
                                    if rows > 3 { SIMDAccess.store8(a3, first + 3 &* width) }
                                } else {
                                    // Narrower rows (7 x 7 planes) store whole vectors, spilling
                                    // into the rows after them, which later stores overwrite
                                    // (rows are stored top to bottom); only the lanes that
                                    // would pass the plane's end are cut.
                                    let left = (height &- row) &* width
                                    SIMDAccess.store(a0, first, count: min(8, left))
                                    if rows > 1 { SIMDAccess.store(a1, first + width, count: min(8, left &- width)) }
                                    if rows > 2 { SIMDAccess.store(a2, first + 2 &* width, count: min(8, left &- 2 &* width)) }
                                    if rows > 3 { SIMDAccess.store(a3, first + 3 &* width, count: min(8, left &- 3 &* width)) }
                                }
                            }
                            var oh = 0
                            while oh < height {
                                let rowBase = plane + oh &* rowStep
                                // Passes of eight rows where they apply; four for the last few rows.
                                let pass = eightRowPasses && height &- oh > 4 ? 8 : 4
                                let rows = min(pass, height &- oh)
                                var ow = 0
                                while ow < width {
                                    // Rows of 8 or more columns: a last part vector moves left to
                                    // end at the last column, recomputing a few columns already
                                    // stored (the same values), so every store is whole.
                                    let at = width >= 8 ? min(ow, width &- 8) : ow
                                    if pass == 8 {
                                        let a = eightRows(kernelRows: g.kernelHeight, stride: g.strideHeight, rowBase + at, offsets: offsets,
                                                          kernelWidth: kernelWidth, inputRowStep: layout.phaseWidth, weights: k, bias: b)
                                        store((a.0, a.1, a.2, a.3), row: oh, rows: 4, at: at)
                                        store((a.4, a.5, a.6, a.7), row: oh &+ 4, rows: rows &- 4, at: at)
                                    } else {
                                        store(fourRows(rowPattern, rowBase + at, offsets: offsets, taps: taps, kernelWidth: kernelWidth,
                                                       rowStep: rowStep, phaseWidth: layout.phaseWidth, weights: k, bias: b),
                                              row: oh, rows: rows, at: at)
                                    }
                                    ow &+= 8
                                }
                                oh &+= pass
                            }
                        }
                    }
                }
            }
        }
    }

    /// dX[c, ih, iw] += sum over taps of dY[m, oh, ow] * W[m, i, j]: the same runs, scattered.
    /// For input channels `channels` only (each owns its dX plane), so threads can share a layer.
    static func backwardInput(_ g: ConvGeometry, channels: Range<Int>, outputGradient: UnsafePointer<Float>, weight: [Float],
                              inputGradient: UnsafeMutablePointer<Float>) {
        let multiplier = g.outputChannelsPerGroup
        let kernelSize = g.kernelHeight * g.kernelWidth
        let runs = (0..<g.kernelWidth).map { g.columnRun(kernelColumn: $0) }
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for m in (channels.lowerBound * multiplier)..<(channels.upperBound * multiplier) {
                    let dx = inputGradient + (n * g.inputChannels + m / multiplier) * g.inputPlane
                    let dy = outputGradient + (n * g.outputChannels + m) * g.outputPlane
                    let k = w.baseAddress! + m * kernelSize
                    for oh in 0..<g.outputHeight {
                        let row = dy + oh * g.outputWidth
                        for i in 0..<g.kernelHeight {
                            let ih = oh * g.strideHeight - g.padTop + i * g.dilationHeight
                            if ih < 0 || ih >= g.inputHeight { continue }
                            let inputRow = dx + ih * g.inputWidth
                            for j in 0..<g.kernelWidth where runs[j].count > 0 {
                                let run = runs[j], tap = k[i * g.kernelWidth + j]
                                let dst = inputRow + run.start * g.strideWidth + run.offset
                                if g.strideWidth == 1 {
                                    Axpy.add(run.count, tap, row + run.start, to: dst)
                                } else {
                                    Axpy.scatterStrided(run.count, tap, row + run.start, to: dst, stride: g.strideWidth)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

}
