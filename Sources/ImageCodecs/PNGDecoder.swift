import CPNG

/// PNG → RGB8 through libpng's simplified API, which reports errors as return values:
/// no longjmp ever crosses a Swift frame.
///
/// Output matches Pillow's `Image.open(f).convert("RGB")` sample for sample, except
/// 16-bit RGBA (see `Layout.rgba16`).
enum PNGDecoder {
    static func decode(_ input: UnsafeRawBufferPointer, limits: DecodeLimits) throws(ImageDecodeError) -> RGBImage {
        let stream = PNGPixelStream(filtering: input)
        let result: Result<RGBImage, ImageDecodeError> = stream.bytes.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodeError) in try decode(stream: bytes, described: stream, limits: limits) }
        }
        return try result.get()
    }

    private static func decode(stream: UnsafeRawBufferPointer, described description: PNGPixelStream,
                               limits: DecodeLimits) throws(ImageDecodeError) -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }

        // Reads the chunks up to the first IDAT: the size is known before any pixel memory.
        guard png_image_begin_read_from_memory(&image, stream.baseAddress, stream.count) != 0 else {
            throw .corrupt(image.errorMessage)
        }
        let width = Int(image.width), height = Int(image.height)
        try limits.check(width: width, height: height)

        let layout = Layout(fileFormat: image.format, relabelledGrayAlpha16: description.isRelabelledGrayAlpha16)
        // The libpng here (Debian 1.6.39-2+deb12u6) scrambles Adam7 16-bit input read to 8-bit
        // output (pnggroup/libpng#853); 16-bit RGBA is the one layout that needs that path.
        if layout == .rgba16 && description.isInterlaced {
            throw .unsupportedColorSpace("interlaced 16-bit RGBA PNG")
        }
        image.format = layout.outputFormat
        if layout == .rgba16 { image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB) }
        let samples = width * height * layout.channels

        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        if layout.isSixteenBit {
            var wide = [UInt16](repeating: 0, count: samples)
            try finishRead(&image, into: &wide)
            layout.convert(wide, to: &rgb)
        } else if layout.channels == 3 {
            try finishRead(&image, into: &rgb)
        } else {
            var narrow = [UInt8](repeating: 0, count: samples)
            try finishRead(&image, into: &narrow)
            layout.convert(narrow, to: &rgb)
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    private static func finishRead<Sample>(_ image: inout png_image, into buffer: inout [Sample]) throws(ImageDecodeError) {
        // Row stride 0: rows are packed (width * channels samples each).
        let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else { throw .corrupt(image.errorMessage) }
    }
}
