/// The taps of one resampling pass: for each output index, the first input index and the
/// fixed-point weights of the inputs it reads.
struct ResampleTaps {
    /// Pillow's PRECISION_BITS: 32 - 8 (sample) - 2 (headroom for negative lobes and sums > 1).
    static let precisionBits = 22

    /// Input indices read by any of the outputs.
    var inputs: Range<Int> {
        guard let low = first.min() else { return 0..<0 }
        return low..<zip(first, count).map(+).max()!
    }

    /// First input index per output index.
    var first: [Int]
    /// Number of inputs per output index.
    var count: [Int]
    /// `stride` weights per output index (zero past `count`), scaled by 2^precisionBits.
    var weights: [Int32]
    var stride: Int

    /// Pillow's precompute_coeffs + normalize_coeffs_8bpc for resizing `inputSize` samples
    /// to `outputSize`, for the output indices in `outputs` only (each output's taps depend
    /// on its index alone). Downscaling widens the kernel by the scale factor (antialiasing).
    init(inputSize: Int, outputSize: Int, outputs: Range<Int>, filter: ResampleFilter) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        stride = Int(support.rounded(.up)) * 2 + 1
        first = []; count = []
        first.reserveCapacity(outputs.count); count.reserveCapacity(outputs.count)
        weights = [Int32](repeating: 0, count: outputs.count * stride)
        var kernel = [Double](repeating: 0, count: stride)
        for (index, output) in outputs.enumerated() {
            let center = (Double(output) + 0.5) * scale
            let inverseScale = 1 / filterScale
            // C's (int) cast truncates toward zero; Int(_: Double) does the same.
            let low = max(Int(center - support + 0.5), 0)
            let high = min(Int(center + support + 0.5), inputSize)
            let taps = high - low
            var total = 0.0
            for tap in 0..<taps {
                let w = filter.weight((Double(tap + low) - center + 0.5) * inverseScale)
                kernel[tap] = w
                total += w
            }
            for tap in 0..<taps {
                let normalized = total != 0 ? kernel[tap] / total : kernel[tap]
                weights[index * stride + tap] = Self.fixedPoint(normalized)
            }
            first.append(low)
            count.append(taps)
        }
    }

    /// Rounds half away from zero, as normalize_coeffs_8bpc does.
    private static func fixedPoint(_ weight: Double) -> Int32 {
        let scaled = weight * Double(1 << precisionBits)
        return Int32(weight < 0 ? scaled - 0.5 : scaled + 0.5)
    }

    /// Sum of weighted samples (plus the rounding half) → 8 bits, clipped (Pillow's clip8).
    @inline(__always)
    static func clip8(_ accumulator: Int) -> UInt8 {
        UInt8(clamping: accumulator >> precisionBits)
    }
}
