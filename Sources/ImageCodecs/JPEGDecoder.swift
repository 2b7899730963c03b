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

    /// With a `draft`, at the size it chooses (JPEGDraft), when TurboJPEG scales to exactly
    /// that size; limits apply to the stored size either way, since every block is still read.
    static func decode(_ input: UnsafeRawBufferPointer, limits: DecodeLimits, draft: JPEGDraft? = nil) throws(ImageDecodeError) -> RGBImage {
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

        let size = draft.map { outputSize(width: width, height: height, reduction: $0.reduction(imageWidth: Int(width), imageHeight: Int(height))) }
            ?? (width: width, height: height)
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_RGB
        let channels = isCMYK ? 4 : 3
        // Not zeroed first: success means libjpeg wrote every scanline, and on any failure
        // (every warning is one, STOPONWARNING) the buffer is dropped unread.
        var status: Int32 = -1
        let samples = [UInt8](unsafeUninitializedCapacity: Int(size.width) * Int(size.height) * channels) { buffer, initialized in
            // Pitch 0: rows are packed. Gray JPEGs come out with R = G = B, as Pillow's L -> RGB.
            status = tjDecompress2(handle, source, UInt(input.count), buffer.baseAddress, size.width, 0, size.height,
                                   Int32(pixelFormat.rawValue), flags)
            initialized = status == 0 ? buffer.count : 0
        }
        guard status == 0 else { throw .corrupt(errorMessage(handle)) }

        let rgb = isCMYK ? CMYKConversion.rgb(fromInvertedCMYK: samples) : samples
        return RGBImage(width: Int(size.width), height: Int(size.height), pixels: rgb)
    }

    /// The size tjDecompress2 writes when asked for (width / reduction, height / reduction)
    /// rounded up: it takes the first of its scaling factors (largest first) whose size fits
    /// the request. That is 1 / reduction itself whenever a side is at least 8 pixels (a larger
    /// factor is at least an eighth more, a whole pixel more); for a smaller image another
    /// factor could fit first and give other pixels than Pillow's, so the image is decoded
    /// whole instead.
    private static func outputSize(width: Int32, height: Int32, reduction: Int) -> (width: Int32, height: Int32) {
        guard reduction > 1 else { return (width: width, height: height) }
        func scaled(_ size: Int32, _ factor: tjscalingfactor) -> Int32 { (size * factor.num + factor.denom - 1) / factor.denom }
        let wanted = tjscalingfactor(num: 1, denom: Int32(reduction))
        let request = (scaled(width, wanted), scaled(height, wanted))
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return (width: width, height: height) }
        let chosen = UnsafeBufferPointer(start: factors, count: Int(count)).first {
            scaled(width, $0) <= request.0 && scaled(height, $0) <= request.1
        }
        guard let chosen, chosen.num * wanted.denom == chosen.denom * wanted.num else { return (width: width, height: height) }
        return (width: request.0, height: request.1)
    }

    private static func errorMessage(_ handle: tjhandle?) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "TurboJPEG failed without a message" }
        return String(cString: text)
    }
}
