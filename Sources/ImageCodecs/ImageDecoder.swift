/// Decodes PNG and JPEG bytes into RGB8, whatever the file's colour type or bit depth.
///
/// Thread-safe: every call creates and frees its own libpng/TurboJPEG state.
public enum ImageDecoder {
    /// The format is taken from the magic number, never from a declared media type.
    /// A `draft` applies to JPEGs only (JPEGDraft); PNGs are always decoded whole.
    public static func decode(_ bytes: [UInt8], limits: DecodeLimits = .init(), draft: JPEGDraft? = nil) throws(ImageDecodeError) -> RGBImage {
        let result: Result<RGBImage, ImageDecodeError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(ImageDecodeError) in try decode(buffer, limits: limits, draft: draft) }
        }
        return try result.get()
    }

    /// Decodes without copying the bytes (e.g. straight from a request body buffer).
    public static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits = .init(), draft: JPEGDraft? = nil) throws(ImageDecodeError) -> RGBImage {
        switch ImageFormat.sniff(bytes) {
        case .png: try PNGDecoder.decode(bytes, limits: limits)
        case .jpeg: try JPEGDecoder.decode(bytes, limits: limits, draft: draft)
        case nil: throw .unsupportedFormat
        }
    }
}
