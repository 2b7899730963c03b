import ImageCodecs
import Testing

/// Every PNG colour type and bit depth, interlaced or not, against Pillow's RGB.
@Suite struct PNGDecoderTests {
    static let exactVariants = [
        "gray1", "gray2", "gray4", "gray8", "gray16", "gray8_trns", "gray16_trns",
        "ga8", "ga16", "rgb8", "rgb16", "rgb8_trns", "rgb16_trns", "rgba8",
        "pal1", "pal2", "pal4", "pal8", "pal8_trns", "pal4_trns_short",
        "gray1_interlaced", "gray16_interlaced", "gray16_trns_interlaced", "ga8_interlaced",
        "ga16_interlaced", "rgb8_interlaced", "rgb16_interlaced", "pal4_interlaced", "rgba8_interlaced",
        "rgb8_gama10", "rgb16_srgb", "gray16_gama", "ga16_sbit_bkgd",
    ]

    @Test(arguments: exactVariants)
    func decodesVariantExactlyAsPillow(_ name: String) throws {
        let decoded = try ImageDecoder.decode(try Fixtures.bytes(name + ".png"))
        let pillow = try Fixtures.pillowRGB(name + ".png", width: 17, height: 13)
        #expect(decoded == pillow)
    }

    /// libpng's simplified API rounds 16-bit RGBA to 8 bits where Pillow truncates.
    @Test func decodesSixteenBitRGBAWithinOneOfPillow() throws {
        let decoded = try ImageDecoder.decode(try Fixtures.bytes("rgba16.png"))
        let pillow = try Fixtures.pillowRGB("rgba16.png", width: 17, height: 13)
        #expect(Fixtures.maxDifference(decoded, pillow) == 1)
    }

    /// The one variant libpng's simplified API cannot decode correctly (libpng#853).
    @Test func refusesInterlacedSixteenBitRGBA() throws {
        let file = try Fixtures.bytes("rgba16_interlaced.png")
        #expect(throws: ImageDecodeError.unsupportedColorSpace("interlaced 16-bit RGBA PNG")) {
            _ = try ImageDecoder.decode(file)
        }
    }

    @Test func decodesTinyAndPartlyEmptyInterlacePasses() throws {
        for (name, width, height) in [("rgb8_1x1", 1, 1), ("rgb8_3x2_interlaced", 3, 2)] {
            let decoded = try ImageDecoder.decode(try Fixtures.bytes(name + ".png"))
            #expect(decoded == (try Fixtures.pillowRGB(name + ".png", width: width, height: height)))
        }
    }

    @Test func rejectsTruncatedFileAsCorrupt() throws {
        let file = try Fixtures.bytes("rgb8.png")
        #expect { _ = try ImageDecoder.decode(Array(file.prefix(file.count / 2))) } throws: { Fixtures.isCorrupt($0) }
    }

    @Test func rejectsHeaderOverPixelLimitBeforeDecoding() throws {
        let file = try Fixtures.bytes("huge.png")
        #expect(throws: ImageDecodeError.tooLarge(width: 30000, height: 30000, limit: 40_000_000)) {
            _ = try ImageDecoder.decode(file)
        }
    }

    @Test func rejectsHeaderOverDimensionLimitBeforeDecoding() throws {
        let file = try Fixtures.bytes("huge.png")
        let limits = DecodeLimits(maxPixels: 1_000_000_000, maxDimension: 16384)
        #expect(throws: ImageDecodeError.tooLarge(width: 30000, height: 30000, limit: 16384)) {
            _ = try ImageDecoder.decode(file, limits: limits)
        }
    }

    @Test func rejectsCorruptedImageDataByCRC() throws {
        var file = try Fixtures.bytes("rgb8.png")
        file[file.count - 20] ^= 0xFF  // inside the last IDAT chunk
        #expect(throws: ImageDecodeError.self) { _ = try ImageDecoder.decode(file) }
    }
}
