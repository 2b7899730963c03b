import CPNG

/// PNG encoding through libpng's simplified API (`png_image_write_to_memory`), which
/// reports errors as return values.
public enum PNGEncoder {
    /// The simplified API offers no zlib level, only this speed/size trade-off.
    public enum Compression: Sendable {
        /// zlib's default level with adaptive filtering.
        case standard
        /// PNG_IMAGE_FLAG_FAST: faster, larger files (for responses built per request).
        case fast
    }

    /// Encodes an 8-bit RGB image.
    public static func encode(_ image: RGBImage, compression: Compression = .standard) throws(ImageEncodeError) -> [UInt8] {
        try encode(width: image.width, height: image.height, pixels: image.pixels,
                   format: UInt32(PNG_FORMAT_FLAG_COLOR), channels: 3, compression: compression)
    }

    /// Encodes an 8-bit grayscale image (`width * height` bytes, row-major).
    public static func encodeGray(width: Int, height: Int, pixels: [UInt8],
                                  compression: Compression = .standard) throws(ImageEncodeError) -> [UInt8] {
        try encode(width: width, height: height, pixels: pixels,
                   format: UInt32(PNG_FORMAT_GRAY), channels: 1, compression: compression)
    }

    private static func encode(width: Int, height: Int, pixels: [UInt8], format: UInt32, channels: Int,
                               compression: Compression) throws(ImageEncodeError) -> [UInt8] {
        // PNG spec 11.2.2: width and height are 1 ... 2^31 - 1.
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max),
              width.multipliedReportingOverflow(by: height * channels) == (pixels.count, false) else {
            throw .invalidDimensions(width: width, height: height, bytes: pixels.count)
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        if compression == .fast { image.flags |= UInt32(PNG_IMAGE_FLAG_FAST) }
        defer { png_image_free(&image) }

        // First call: the size only (memory NULL); second call: the bytes.
        var size = 0
        let measured = pixels.withUnsafeBytes {
            png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw .encoderFailed(image.errorMessage) }

        var output = [UInt8](repeating: 0, count: size)
        let written = pixels.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { png_image_write_to_memory(&image, $0.baseAddress, &size, 0, source.baseAddress, 0, nil) }
        }
        guard written != 0 else { throw .encoderFailed(image.errorMessage) }
        return Array(output.prefix(size))
    }
}
