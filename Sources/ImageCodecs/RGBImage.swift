/// A decoded image: 8-bit RGB, interleaved, row-major, no padding between rows.
///
/// Alpha never reaches this type. Decoders drop it, as Pillow's `convert("RGB")` does,
/// which is the reference every model manifest was trained against.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes: R, G, B of pixel (0, 0), then (1, 0), ...
    public var pixels: [UInt8]

    /// Bytes in one row.
    public var rowBytes: Int { width * 3 }

    /// The pixel count must match the size: a mismatch is a programming error in the caller
    /// (decoders always produce consistent images), not a property of untrusted input.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
