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
        var output = [UInt8](repeating: 0, count: rows.count * width * 3)
        let half = 1 << (ResampleTaps.precisionBits - 1)
        image.pixels.withUnsafeBufferPointer { input in
            taps.weights.withUnsafeBufferPointer { weights in
                for (row, y) in rows.enumerated() {
                    for x in 0..<width {
                        var r = half, g = half, b = half
                        let base = x * taps.stride
                        var at = y * image.rowBytes + taps.first[x] * 3
                        for tap in 0..<taps.count[x] {
                            let w = Int(weights[base + tap])
                            r += Int(input[at]) * w
                            g += Int(input[at + 1]) * w
                            b += Int(input[at + 2]) * w
                            at += 3
                        }
                        let out = (row * width + x) * 3
                        output[out] = ResampleTaps.clip8(r)
                        output[out + 1] = ResampleTaps.clip8(g)
                        output[out + 2] = ResampleTaps.clip8(b)
                    }
                }
            }
        }
        return RGBImage(width: width, height: rows.count, pixels: output)
    }

    /// input (H x W, whose row 0 is input row `rowOffset`) -> output (taps.first.count x W)
    private static func verticalPass(_ image: RGBImage, taps: ResampleTaps, rowOffset: Int) -> RGBImage {
        let height = taps.first.count
        let rowBytes = image.rowBytes
        var output = [UInt8](repeating: 0, count: height * rowBytes)
        let half = 1 << (ResampleTaps.precisionBits - 1)
        image.pixels.withUnsafeBufferPointer { input in
            taps.weights.withUnsafeBufferPointer { weights in
                for y in 0..<height {
                    let base = y * taps.stride
                    let firstRow = (taps.first[y] - rowOffset) * rowBytes
                    for sample in 0..<rowBytes {
                        var sum = half
                        var at = firstRow + sample
                        for tap in 0..<taps.count[y] {
                            sum += Int(input[at]) * Int(weights[base + tap])
                            at += rowBytes
                        }
                        output[y * rowBytes + sample] = ResampleTaps.clip8(sum)
                    }
                }
            }
        }
        return RGBImage(width: image.width, height: height, pixels: output)
    }
}
