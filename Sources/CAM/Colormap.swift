/// Maps a heatmap in [0, 1] to RGB, for PNG responses.
public enum Colormap: String, Sendable, CaseIterable {
    /// OpenCV's COLORMAP_JET, the one pytorch-grad-cam's show_cam_on_image uses.
    case jet
    /// Matplotlib's perceptually uniform map, readable in grey and by colour-blind people.
    case viridis
    case inferno
    case gray

    /// Control points from the maps' definitions, evenly spaced over [0, 1].
    private var stops: [(Float, Float, Float)] {
        switch self {
        case .jet: [(0, 0, 0.5), (0, 0, 1), (0, 0.5, 1), (0, 1, 1), (0.5, 1, 0.5), (1, 1, 0), (1, 0.5, 0), (1, 0, 0), (0.5, 0, 0)]
        case .viridis: [(0.267, 0.005, 0.329), (0.283, 0.141, 0.458), (0.254, 0.265, 0.530), (0.207, 0.372, 0.553), (0.164, 0.471, 0.558),
                        (0.128, 0.567, 0.551), (0.135, 0.659, 0.518), (0.267, 0.749, 0.441), (0.478, 0.821, 0.318), (0.741, 0.873, 0.150), (0.993, 0.906, 0.144)]
        case .inferno: [(0.001, 0.000, 0.014), (0.087, 0.045, 0.225), (0.258, 0.039, 0.406), (0.416, 0.090, 0.433), (0.578, 0.148, 0.404),
                        (0.735, 0.216, 0.330), (0.865, 0.317, 0.226), (0.954, 0.469, 0.099), (0.987, 0.645, 0.040), (0.964, 0.843, 0.273), (0.988, 0.998, 0.645)]
        case .gray: [(0, 0, 0), (1, 1, 1)]
        }
    }

    /// RGB bytes for a value, linearly interpolated between stops; values are clamped to [0, 1].
    public func color(_ value: Float) -> (UInt8, UInt8, UInt8) {
        let stops = self.stops
        let v = min(max(value.isNaN ? 0 : value, 0), 1) * Float(stops.count - 1)
        let i = min(Int(v), stops.count - 2), t = v - Float(i)
        let a = stops[i], b = stops[i + 1]
        func byte(_ x: Float, _ y: Float) -> UInt8 { UInt8(((x + (y - x) * t) * 255).rounded()) }
        return (byte(a.0, b.0), byte(a.1, b.1), byte(a.2, b.2))
    }

    /// The whole map as interleaved RGB bytes.
    public func render(_ map: Heatmap) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: map.values.count * 3)
        for (i, v) in map.values.enumerated() {
            let (r, g, b) = color(v)
            out[3 * i] = r; out[3 * i + 1] = g; out[3 * i + 2] = b
        }
        return out
    }

    /// The heatmap blended over an RGB image of the same size: alpha * colour + (1 - alpha) * image.
    public func overlay(_ map: Heatmap, on image: [UInt8], alpha: Float) -> [UInt8] {
        let colors = render(map)
        let a = min(max(alpha, 0), 1)
        return (0..<min(colors.count, image.count)).map { i in
            UInt8((a * Float(colors[i]) + (1 - a) * Float(image[i])).rounded())
        }
    }
}
