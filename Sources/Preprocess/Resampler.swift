import ImageCodecs

/// Pillow's `Image.resize(size, BICUBIC | BILINEAR)` for RGB images, bit-exact: a separable
/// convolution, horizontal pass then vertical pass, each rounding to 8 bits
/// (libImaging/Resample.c, ImagingResampleInner). A pass whose size does not change is
/// skipped, as Pillow skips it.
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

    /// input (rows of `image`) -> output (rows.count x taps.first.count)
    private static func horizontalPass(_ image: RGBImage, rows: Range<Int>, taps: ResampleTaps) -> RGBImage {
        let width = taps.first.count
        let rowBytes = image.rowBytes
        var output = [UInt8](repeating: 0, count: rows.count * width * 3)
        let half = 1 << (ResampleTaps.precisionBits - 1)
        // Unchecked buffers: every index is bounded by the taps, which stay inside the image.
        image.pixels.withUnsafeBufferPointer { input in
        taps.weights.withUnsafeBufferPointer { weights in
        taps.first.withUnsafeBufferPointer { first in
        taps.count.withUnsafeBufferPointer { count in
        output.withUnsafeMutableBufferPointer { output in
            for (row, y) in rows.enumerated() {
                var out = row * width * 3
                for x in 0..<width {
                    var r = half, g = half, b = half
                    var w = x * taps.stride
                    var at = y * rowBytes + first[x] * 3
                    for _ in 0..<count[x] {
                        let weight = Int(weights[w])
                        r += Int(input[at]) * weight
                        g += Int(input[at + 1]) * weight
                        b += Int(input[at + 2]) * weight
                        at += 3
                        w += 1
                    }
                    output[out] = ResampleTaps.clip8(r)
                    output[out + 1] = ResampleTaps.clip8(g)
                    output[out + 2] = ResampleTaps.clip8(b)
                    out += 3
                }
            }
        }}}}}
        return RGBImage(width: width, height: rows.count, pixels: output)
    }

    /// input (H x W, whose row 0 is input row `rowOffset`) -> output (taps.first.count x W)
    private static func verticalPass(_ image: RGBImage, taps: ResampleTaps, rowOffset: Int) -> RGBImage {
        let height = taps.first.count
        let rowBytes = image.rowBytes
        var output = [UInt8](repeating: 0, count: height * rowBytes)
        let half = Int32(1 << (ResampleTaps.precisionBits - 1))
        // 32-bit sums, as Pillow's `int ss0`: exact, since a window's weights sum to 2^22 and
        // their absolute values to under 2 * 2^22 (bilinear and bicubic), so |sum| < 255 * 2^23
        // < 2^31; and eight lanes per AVX2 instruction instead of four.
        var sums = [Int32](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { input in
        taps.weights.withUnsafeBufferPointer { weights in
        sums.withUnsafeMutableBufferPointer { sums in
        output.withUnsafeMutableBufferPointer { output in
            for y in 0..<height {
                // Row by row, so the inner loop walks memory contiguously.
                for sample in 0..<rowBytes { sums[sample] = half }
                for tap in 0..<taps.count[y] {
                    let weight = weights[y * taps.stride + tap]
                    let row = (taps.first[y] - rowOffset + tap) * rowBytes
                    for sample in 0..<rowBytes { sums[sample] &+= Int32(input[row + sample]) &* weight }
                }
                let out = y * rowBytes
                for sample in 0..<rowBytes { output[out + sample] = ResampleTaps.clip8(Int(sums[sample])) }
            }
        }}}}
        return RGBImage(width: image.width, height: height, pixels: output)
    }
}
