/// Bounds on what a decoder accepts, checked against the header before any pixel memory
/// is allocated, so a small file that declares a huge image costs nothing.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest `width * height` accepted. Default 40 megapixels (120 MB of RGB).
    public var maxPixels: Int
    /// Largest width or height accepted. Default 65535, JPEG's own limit (ITU T.81 B.2.2);
    /// memory is bounded by `maxPixels`, and Preprocess copes with extreme aspect ratios.
    public var maxDimension: Int

    public init(maxPixels: Int = 40_000_000, maxDimension: Int = 65535) {
        self.maxPixels = maxPixels
        self.maxDimension = maxDimension
    }

    /// Throws unless `width x height` is non-empty and within both limits.
    func check(width: Int, height: Int) throws(ImageDecodeError) {
        guard width > 0, height > 0 else {
            throw .corrupt("image has zero width or height (\(width)x\(height))")
        }
        if width > maxDimension || height > maxDimension {
            throw .tooLarge(width: width, height: height, limit: maxDimension)
        }
        // Both factors are at most maxDimension here, but a caller may raise that limit:
        // multiply with an overflow check rather than trust it.
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw .tooLarge(width: width, height: height, limit: maxPixels)
        }
    }
}
