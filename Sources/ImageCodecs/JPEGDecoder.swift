import CTurboJPEG

/// JPEG → RGB8 through the TurboJPEG API, which reports errors as return values.
///
/// TurboJPEG's defaults are the ones Pillow leaves libjpeg at: the accurate integer IDCT
/// (JDCT_ISLOW) and "fancy" (triangle-filter) chroma upsampling, so both produce the same
/// pixels from the same library.
enum JPEGDecoder {
    /// libjpeg only warns about a truncated or damaged stream ("Premature end of JPEG file")
    /// and pads the image with grey. STOPONWARNING turns every warning into a failure.
    /// LIMITSCANS refuses progressive files with more than 500 scans, a CPU bomb.
    private static let flags = Int32(TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS)

    static func decode(_ input: UnsafeRawBufferPointer, limits: DecodeLimits) throws(ImageDecodeError) -> RGBImage {
        guard let source = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw .unsupportedFormat
        }
        // One handle per call: a TurboJPEG handle must not be shared between threads.
        guard let handle = tjInitDecompress() else { throw .corrupt(errorMessage(nil)) }
        defer { tjDestroy(handle) }

        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        // Parses the headers only: nothing is allocated for pixels yet.
        guard tjDecompressHeader3(handle, source, UInt(input.count), &width, &height, &subsampling, &colorspace) == 0 else {
            throw .corrupt(errorMessage(handle))
        }
        try limits.check(width: Int(width), height: Int(height))

        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_RGB
        let channels = isCMYK ? 4 : 3
        // Not zeroed first: success means libjpeg wrote every scanline, and on any failure
        // (every warning is one, STOPONWARNING) the buffer is dropped unread.
        var status: Int32 = -1
        let samples = [UInt8](unsafeUninitializedCapacity: Int(width) * Int(height) * channels) { buffer, initialized in
            // Pitch 0: rows are packed. Gray JPEGs come out with R = G = B, as Pillow's L -> RGB.
            status = tjDecompress2(handle, source, UInt(input.count), buffer.baseAddress, width, 0, height,
                                   Int32(pixelFormat.rawValue), flags)
            initialized = status == 0 ? buffer.count : 0
        }
        guard status == 0 else { throw .corrupt(errorMessage(handle)) }

        let rgb = isCMYK ? CMYKConversion.rgb(fromInvertedCMYK: samples) : samples
        return RGBImage(width: Int(width), height: Int(height), pixels: rgb)
    }

    private static func errorMessage(_ handle: tjhandle?) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "TurboJPEG failed without a message" }
        return String(cString: text)
    }
}
