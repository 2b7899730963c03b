/// Why an image could not be decoded. Every case is a property of the input, never a crash.
public enum ImageDecodeError: Error, Sendable, Equatable {
    /// The bytes are neither PNG nor JPEG (by magic number).
    case unsupportedFormat
    /// A valid file in a colour space we do not convert (e.g. CMYK or YCCK JPEG).
    case unsupportedColorSpace(String)
    /// The header declares more than the limits allow. `limit` is the limit that was
    /// exceeded: `DecodeLimits.maxDimension` or `DecodeLimits.maxPixels`.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// The decoder failed or warned (truncated data, bad CRC, bad Huffman code...).
    /// The message is the library's own, e.g. "Premature end of JPEG file".
    case corrupt(String)
}

/// Why an image could not be encoded.
public enum ImageEncodeError: Error, Sendable, Equatable {
    /// The pixel buffer does not hold `width * height * channels` bytes, or a size is 0.
    case invalidDimensions(width: Int, height: Int, bytes: Int)
    /// libpng refused; the message is libpng's.
    case encoderFailed(String)
}
