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
    public func normalised() -> Heatmap {
        guard let low = values.min() else { return self }
        let shifted = values.map { $0 - low }
        let high = shifted.max() ?? 0
        return Heatmap(width: width, height: height, values: shifted.map { $0 / (1e-7 + high) })
    }

    /// Bilinear resampling with half-pixel centres, as OpenCV's INTER_LINEAR (and
    /// PyTorch's align_corners=False) do: source = (dst + 0.5) * in/out - 0.5, clamped to the edge.
    public func resized(width outWidth: Int, height outHeight: Int) -> Heatmap {
        guard width > 0, height > 0, outWidth > 0, outHeight > 0 else { return Heatmap(width: outWidth, height: outHeight, values: []) }
        let xs = Heatmap.taps(input: width, output: outWidth)
        let ys = Heatmap.taps(input: height, output: outHeight)
        var out = [Float](repeating: 0, count: outWidth * outHeight)
        for (oy, ty) in ys.enumerated() {
            for (ox, tx) in xs.enumerated() {
                let top = values[ty.low * width + tx.low] * (1 - tx.weight) + values[ty.low * width + tx.high] * tx.weight
                let bottom = values[ty.high * width + tx.low] * (1 - tx.weight) + values[ty.high * width + tx.high] * tx.weight
                out[oy * outWidth + ox] = top * (1 - ty.weight) + bottom * ty.weight
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
