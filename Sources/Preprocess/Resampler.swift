import ImageCodecs

/// Pillow's `Image.resize(size, BICUBIC | BILINEAR)` for RGB images, bit-exact: a separable
/// convolution, horizontal pass then vertical pass, each rounding to 8 bits
/// (libImaging/Resample.c, ImagingResampleInner). A pass whose size does not change is
/// skipped, as Pillow skips it.
///
/// Both passes run one kernel, `weightedLines`, which sums whole input lines and so vectorises
/// across the line. The vertical pass reads image rows as its lines. The horizontal pass would
/// have to gather a pixel's neighbours along the row, so it transposes its window (a band of
/// rows at a time), runs the same kernel over columns, and transposes back: two plain copies
/// are cheaper than a scalar multiply-add per tap and sample.
///
/// Every buffer here is written whole by the loop that fills it (each output line, each
/// transposed pixel), so none is zeroed first: that was one more pass over each buffer, on
/// every request.
enum Resampler {
    /// The window `columns x rows` of `image` resized to `width x height`. Only the window is
    /// computed, so an extreme aspect ratio cannot make a huge intermediate image.
    static func resize(_ image: RGBImage, width: Int, height: Int, columns: Range<Int>, rows: Range<Int>,
                       filter: ResampleFilter) -> RGBImage {
        let vertical = height == image.height ? nil
            : ResampleTaps(inputSize: image.height, outputSize: height, outputs: rows, filter: filter)
        // Only the rows the vertical pass reads are resampled horizontally.
        let sourceRows = vertical?.inputs ?? rows
        let horizontal = width == image.width ? nil
            : ResampleTaps(inputSize: image.width, outputSize: width, outputs: columns, filter: filter)
        let stripe = horizontal.map { horizontalPass(image, rows: sourceRows, taps: $0) }
            ?? image.cropped(columns: columns, rows: sourceRows)
        guard let vertical else { return stripe }
        return verticalPass(stripe, taps: vertical, rowOffset: sourceRows.lowerBound)
    }

    /// Source rows the horizontal pass resamples at a time. Its transposed band (the window's
    /// columns x 64 rows x 3 bytes: about 0.5 MB for the 2,700 columns of a 4032 x 3024 photo
    /// that Resize(256) and CenterCrop(224) keep) is one buffer reused for every band. The
    /// whole window transposed at once was about 22 MB more per request: a server's peak RSS
    /// under such photos 187.6 -> 147.5 MB (Benchmarks/README.md).
    static let bandRows = 64

    /// input (rows of `image`) -> output (rows.count x taps.first.count), band by band.
    private static func horizontalPass(_ image: RGBImage, rows: Range<Int>, taps: ResampleTaps) -> RGBImage {
        let columns = taps.inputs
        let width = taps.first.count
        let rowBytes = width * 3
        let bandRows = max(1, min(Self.bandRows, rows.count))
        // The band's two buffers, each written whole before it is read (so not zeroed):
        // column-major (line c holds input column columns.lowerBound + c, one pixel per band
        // row), then resampled (line c is output column c over the band).
        let byColumnBytes = columns.count * bandRows * 3
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: byColumnBytes + width * bandRows * 3, alignment: 16)
        defer { scratch.deallocate() }
        let byColumn = UnsafeMutableRawBufferPointer(rebasing: scratch[..<byColumnBytes])
        let resampled = UnsafeMutableRawBufferPointer(rebasing: scratch[byColumnBytes...])
        let output = [UInt8](unsafeUninitializedCapacity: rows.count * rowBytes) { output, initialized in
            image.pixels.withUnsafeBytes { source in
                for first in stride(from: rows.lowerBound, to: rows.upperBound, by: bandRows) {
                    let band = first..<min(first + bandRows, rows.upperBound)
                    transpose(source, rowBytes: image.rowBytes, columns: columns, rows: band, into: byColumn)
                    let lineBytes = band.count * 3
                    weightedLines(UnsafeBufferPointer(byColumn.bindMemory(to: UInt8.self)), lineBytes: lineBytes, taps: taps,
                                  firstLine: columns.lowerBound, into: resampled.bindMemory(to: UInt8.self))
                    // Transposed back: the band's output rows, one after another in the stripe.
                    let target = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(output)[((first - rows.lowerBound) * rowBytes)...])
                    transpose(UnsafeRawBufferPointer(resampled), rowBytes: lineBytes, columns: 0..<band.count, rows: 0..<width, into: target)
                }
            }
            initialized = output.count
        }
        return RGBImage(width: width, height: rows.count, pixels: output)
    }

    /// input (H x W, whose row 0 is input row `rowOffset`) -> output (taps.first.count x W)
    private static func verticalPass(_ image: RGBImage, taps: ResampleTaps, rowOffset: Int) -> RGBImage {
        let height = taps.first.count
        let output = [UInt8](unsafeUninitializedCapacity: height * image.rowBytes) { output, initialized in
            image.pixels.withUnsafeBufferPointer { input in
                weightedLines(input, lineBytes: image.rowBytes, taps: taps, firstLine: rowOffset, into: output)
            }
            initialized = output.count
        }
        return RGBImage(width: image.width, height: height, pixels: output)
    }

    /// Output line j = clip8(half + sum over t of weight[j][t] * input line (first[j] - firstLine + t)),
    /// byte by byte: `lineBytes` bytes per line, input lines contiguous.
    ///
    /// 32-bit sums, as Pillow's `int ss0`: exact, since a window's weights sum to 2^22 and their
    /// absolute values to under 2 * 2^22 (bilinear and bicubic), so |sum| < 255 * 2^23 < 2^31.
    /// Sixteen bytes at a time, their sums kept in registers over all taps. A line whose length
    /// is not a multiple of 16 ends with a group that overlaps the one before: it recomputes
    /// the same bytes rather than falling back to scalar code.
    private static func weightedLines(_ input: UnsafeBufferPointer<UInt8>, lineBytes: Int, taps: ResampleTaps,
                                      firstLine: Int, into output: UnsafeMutableBufferPointer<UInt8>) {
        guard let source = input.baseAddress, let target = output.baseAddress, lineBytes > 0 else { return }
        let half = Int32(1 << (ResampleTaps.precisionBits - 1))
        taps.weights.withUnsafeBufferPointer { weights in
            for line in 0..<taps.first.count {
                let lineWeights = weights.baseAddress! + line * taps.stride
                let firstInput = source + (taps.first[line] - firstLine) * lineBytes
                let count = taps.count[line]
                let out = target + line * lineBytes
                guard lineBytes >= 16 else {
                    for byte in 0..<lineBytes {
                        var sum = half
                        for tap in 0..<count { sum &+= Int32(firstInput[tap * lineBytes + byte]) &* lineWeights[tap] }
                        out[byte] = ResampleTaps.clip8(Int(sum))
                    }
                    continue
                }
                var byte = 0
                while true {
                    var sums = SIMD16<Int32>(repeating: half)
                    for tap in 0..<count {
                        let samples = UnsafeRawPointer(firstInput + tap * lineBytes + byte).loadUnaligned(as: SIMD16<UInt8>.self)
                        sums &+= widened(samples) &* SIMD16(repeating: lineWeights[tap])
                    }
                    let clipped = clip8(sums &>> Int32(ResampleTaps.precisionBits))
                    UnsafeMutableRawPointer(out + byte).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: clipped), as: SIMD16<UInt8>.self)
                    if byte + 16 == lineBytes { break }
                    byte = min(byte + 16, lineBytes - 16)
                }
            }
        }
    }

    /// The bytes as 32-bit lanes. Written lane by lane because the generic
    /// `SIMD16<Int32>(truncatingIfNeeded:)` compiled to a call per tap in the horizontal pass.
    @inline(__always)
    private static func widened(_ b: SIMD16<UInt8>) -> SIMD16<Int32> {
        SIMD16(Int32(b[0]), Int32(b[1]), Int32(b[2]), Int32(b[3]), Int32(b[4]), Int32(b[5]), Int32(b[6]), Int32(b[7]),
               Int32(b[8]), Int32(b[9]), Int32(b[10]), Int32(b[11]), Int32(b[12]), Int32(b[13]), Int32(b[14]), Int32(b[15]))
    }

    /// Pillow's clip8 on each lane: clamped to 0...255. Written in shifts and masks because
    /// `clamped` and `replace(with:where:)` on SIMD16<Int32> compile to calls or lane-by-lane code.
    @inline(__always)
    private static func clip8(_ value: SIMD16<Int32>) -> SIMD16<Int32> {
        let nonNegative = value & ~(value &>> 31)
        let excess = nonNegative &- 255
        return nonNegative &- (excess & ~(excess &>> 31))
    }

    /// The window `columns x rows` of an image with `rowBytes` bytes per row, transposed into
    /// `output`: pixel (x, y) of the window becomes pixel (y, x), so each output row (rows.count
    /// pixels, packed) is one input column.
    ///
    /// Eight window rows at a time, column by column, so each output row gets 24 bytes in one
    /// visit: one row at a time touched every output row's line once per input row, and the
    /// few hundred lines of a photo's window do not all stay in L1 between visits. This
    /// function's share of a loaded server's CPU (perf, POST /explain): 1.04% -> 0.88%.
    /// Each pixel moves as one 4-byte load and store. The store's fourth byte lands on the next
    /// window row's slot of the same output row, which a later store writes; the load's fourth
    /// byte is the next input pixel's or the next row's. The last window row has no next row to
    /// absorb either, so it moves byte by byte; blocks before it run unrolled (`moveEightRows`).
    private static func transpose(_ input: UnsafeRawBufferPointer, rowBytes: Int, columns: Range<Int>, rows: Range<Int>,
                                  into output: UnsafeMutableRawBufferPointer) {
        let outputRowBytes = rows.count * 3, rowsPerBlock = 8
        precondition(output.count >= columns.count * outputRowBytes, "the transposed window fits the output")
        guard let source = input.baseAddress, let target = output.baseAddress, !columns.isEmpty else { return }
        precondition(input.count >= (rows.upperBound - 1) * rowBytes + columns.upperBound * 3, "the window lies in the input")
        for first in stride(from: 0, to: rows.count, by: rowsPerBlock) {
            let count = min(rowsPerBlock, rows.count - first)
            let from = source + (rows.lowerBound + first) * rowBytes + columns.lowerBound * 3
            let to = target + first * 3
            if count == rowsPerBlock && first + count < rows.count {
                moveEightRows(from, rowBytes: rowBytes, to: to, outputRowBytes: outputRowBytes, columns: columns.count)
                continue
            }
            // The window's last block: its last row moves byte by byte.
            let wordRows = first + count == rows.count ? count - 1 : count
            for column in 0..<columns.count {
                var s = from + column * 3, t = to + column * outputRowBytes
                for _ in 0..<wordRows {
                    t.storeBytes(of: s.loadUnaligned(as: UInt32.self), as: UInt32.self)
                    s += rowBytes
                    t += 3
                }
                if wordRows < count {
                    for byte in 0..<3 { t.storeBytes(of: s.load(fromByteOffset: byte, as: UInt8.self), toByteOffset: byte, as: UInt8.self) }
                }
            }
        }
    }

    /// The common block of `transpose`: eight rows with a row after them, unrolled, in wrapping
    /// arithmetic on raw pointers (the general loop reloaded its buffer and tested overflow on
    /// every pixel: about 12 instructions a pixel, 40% of a chelsea resize in perf).
    @inline(__always)
    private static func moveEightRows(_ from: UnsafeRawPointer, rowBytes: Int, to: UnsafeMutableRawPointer, outputRowBytes: Int,
                                      columns: Int) {
        var s = from, t = to
        for _ in 0..<columns {
            // In row order: each 4-byte store's last byte is overwritten by the next row's store.
            t.storeBytes(of: s.loadUnaligned(as: UInt32.self), as: UInt32.self)
            (t + 3).storeBytes(of: (s + rowBytes).loadUnaligned(as: UInt32.self), as: UInt32.self)
            (t + 6).storeBytes(of: (s + 2 &* rowBytes).loadUnaligned(as: UInt32.self), as: UInt32.self)
            (t + 9).storeBytes(of: (s + 3 &* rowBytes).loadUnaligned(as: UInt32.self), as: UInt32.self)
            (t + 12).storeBytes(of: (s + 4 &* rowBytes).loadUnaligned(as: UInt32.self), as: UInt32.self)
            (t + 15).storeBytes(of: (s + 5 &* rowBytes).loadUnaligned(as: UInt32.self), as: UInt32.self)
            (t + 18).storeBytes(of: (s + 6 &* rowBytes).loadUnaligned(as: UInt32.self), as: UInt32.self)
            (t + 21).storeBytes(of: (s + 7 &* rowBytes).loadUnaligned(as: UInt32.self), as: UInt32.self)
            s += 3
            t += outputRowBytes
        }
    }
}
