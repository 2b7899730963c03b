/// Pillow's resampling kernels (libImaging/Resample.c), in the same floating-point
/// operation order so the coefficients come out bit-identical.
struct ResampleFilter: Sendable {
    /// Half-width of the kernel at scale 1.
    let support: Double
    let weight: @Sendable (Double) -> Double

    init(_ interpolation: Interpolation) {
        switch interpolation {
        case .bilinear: self = .triangle
        case .bicubic: self = .cubic
        }
    }

    private init(support: Double, weight: @escaping @Sendable (Double) -> Double) {
        self.support = support
        self.weight = weight
    }

    /// Linear interpolation's tent.
    static let triangle = ResampleFilter(support: 1) { x in
        let x = abs(x)
        return x < 1 ? 1 - x : 0
    }

    /// Keys' cubic convolution kernel with a = -0.5 (Keys 1981, eq. 15), as Pillow's
    /// bicubic_filter writes it.
    static let cubic = ResampleFilter(support: 2) { x in
        let a = -0.5
        let x = abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }
}
