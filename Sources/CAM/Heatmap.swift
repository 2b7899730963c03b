/// A single-channel map, row-major: `values[y * width + x]`.
public struct Heatmap: Sendable, Equatable {
    public let width: Int, height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        self.width = width; self.height = height; self.values = values
    }

    public subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    /// Nested rows, as the JSON response carries them.
    public var rows: [[Float]] { (0..<height).map { Array(values[($0 * width)..<(($0 + 1) * width)]) } }

    /// The position of the largest value (the first one, scanning rows).
    public var peak: (x: Int, y: Int) {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return (best % max(width, 1), best / max(width, 1))
    }

    /// Min-max scaling to [0, 1]: (v - min) / (max - min + 1e-7). The 1e-7 is pytorch-grad-cam's
    /// (utils/image.py, scale_cam_image), kept so that our maps equal its maps, and it leaves an
    /// all-zero map at zero instead of dividing by zero.
    ///
    /// One pass finds both extremes, eight lanes at a time, and one pass scales: the display map
    /// has 50,176 values at 224x224, and a pass per step (minimum, shift, maximum, divide) cost
    /// more than the rest of the CAM. max(v - min) is computed as max(v) - min, which is the same
    /// float because rounding a difference keeps its order.
    public func normalised() -> Heatmap {
        guard !values.isEmpty else { return self }
        return values.withUnsafeBufferPointer { v in
            let (low, highest) = Heatmap.extremes(v)
            let range = 1e-7 + (highest - low)
            let scaled = [Float](unsafeUninitializedCapacity: v.count) { out, count in
                for i in 0..<v.count { out[i] = (v[i] - low) / range }
                count = v.count
            }
            return Heatmap(width: width, height: height, values: scaled)
        }
    }

    /// The smallest and the largest of a non-empty buffer.
    private static func extremes(_ v: UnsafeBufferPointer<Float>) -> (Float, Float) {
        var i = 0, low = v[0], high = v[0]
        if v.count >= 8, let base = v.baseAddress {
            var lows = SIMD8<Float>(UnsafeBufferPointer(start: base, count: 8)), highs = lows
            i = 8
            while i + 8 <= v.count {
                let x = SIMD8<Float>(UnsafeBufferPointer(start: base + i, count: 8))
                lows.replace(with: x, where: x .< lows); highs.replace(with: x, where: highs .< x)
                i += 8
            }
            low = lows.min(); high = highs.max()
        }
        while i < v.count { low = min(low, v[i]); high = max(high, v[i]); i += 1 }
        return (low, high)
    }

    /// Bilinear resampling with half-pixel centres, as OpenCV's INTER_LINEAR (and
    /// PyTorch's align_corners=False) do: source = (dst + 0.5) * in/out - 0.5, clamped to the edge.
    ///
    /// Separable: each source row is first resampled along x, then each output row blends two of
    /// those rows, a loop the compiler vectorises. Every output is the same expression as the
    /// direct four-tap form, top * (1 - wy) + bottom * wy, so the values are the same floats.
    public func resized(width outWidth: Int, height outHeight: Int) -> Heatmap {
        guard width > 0, height > 0, outWidth > 0, outHeight > 0 else { return Heatmap(width: outWidth, height: outHeight, values: []) }
        let xs = Heatmap.taps(input: width, output: outWidth)
        let ys = Heatmap.taps(input: height, output: outHeight)
        var alongX = [Float](repeating: 0, count: height * outWidth)
        values.withUnsafeBufferPointer { v in
            alongX.withUnsafeMutableBufferPointer { rows in
                for y in 0..<height {
                    let source = y * width, target = y * outWidth
                    for (ox, tx) in xs.enumerated() {
                        rows[target + ox] = v[source + tx.low] * (1 - tx.weight) + v[source + tx.high] * tx.weight
                    }
                }
            }
        }
        let out = alongX.withUnsafeBufferPointer { rows in
            [Float](unsafeUninitializedCapacity: outWidth * outHeight) { out, count in
                for (oy, ty) in ys.enumerated() {
                    let top = rows.baseAddress! + ty.low * outWidth, bottom = rows.baseAddress! + ty.high * outWidth
                    let target = out.baseAddress! + oy * outWidth
                    let keep = 1 - ty.weight, take = ty.weight
                    for ox in 0..<outWidth { target[ox] = top[ox] * keep + bottom[ox] * take }
                }
                count = outWidth * outHeight
            }
        }
        return Heatmap(width: outWidth, height: outHeight, values: out)
    }

    private struct Tap { var low: Int, high: Int, weight: Float }

    private static func taps(input: Int, output: Int) -> [Tap] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { o in
            let source = (Float(o) + 0.5) * scale - 0.5
            var low = Int(source.rounded(.down))
            var weight = source - Float(low)
            if low < 0 { low = 0; weight = 0 }
            if low >= input - 1 { low = input - 1; weight = 0 }
            return Tap(low: low, high: min(low + 1, input - 1), weight: weight)
        }
    }
}
