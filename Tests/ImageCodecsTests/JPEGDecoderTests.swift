import ImageCodecs
import Testing

/// JPEG decoding against Pillow, which uses libjpeg-turbo too (3.x bundled in its wheel;
/// 2.1.5 from Debian here) with the same IDCT and upsampling.
@Suite struct JPEGDecoderTests {
    static let cases: [(name: String, width: Int, height: Int)] = [
        ("baseline420", 64, 48), ("baseline422", 64, 48), ("baseline444", 64, 48),
        ("progressive", 64, 48), ("gray", 64, 48), ("odd420", 37, 23), ("cmyk", 64, 48),
    ]

    @Test(arguments: cases)
    func decodesExactlyAsPillow(_ fixture: (name: String, width: Int, height: Int)) throws {
        let decoded = try ImageDecoder.decode(try Fixtures.bytes(fixture.name + ".jpg"))
        let pillow = try Fixtures.pillowRGB(fixture.name + ".jpg", width: fixture.width, height: fixture.height)
        #expect(Fixtures.maxDifference(decoded, pillow) == 0)
    }

    @Test func rejectsFileCutInHalfAsCorrupt() throws {
        let file = try Fixtures.bytes("baseline420.jpg")
        #expect { _ = try ImageDecoder.decode(Array(file.prefix(file.count / 2))) } throws: {
            Fixtures.isCorrupt($0, mentioning: "Premature end")
        }
    }

    @Test func rejectsProgressiveFileCutInHalfAsCorrupt() throws {
        let file = try Fixtures.bytes("progressive.jpg")
        #expect(throws: ImageDecodeError.self) { _ = try ImageDecoder.decode(Array(file.prefix(file.count / 2))) }
    }

    @Test func rejectsHeaderOverLimitsBeforeDecoding() throws {
        let file = try Fixtures.bytes("huge.jpg")
        #expect(throws: ImageDecodeError.tooLarge(width: 30000, height: 30000, limit: 40_000_000)) {
            _ = try ImageDecoder.decode(file)
        }
        let limits = DecodeLimits(maxPixels: 1_000_000_000, maxDimension: 16384)
        #expect(throws: ImageDecodeError.tooLarge(width: 30000, height: 30000, limit: 16384)) {
            _ = try ImageDecoder.decode(file, limits: limits)
        }
    }

    @Test func rejectsZeroHeightFrame() throws {
        let file = try Fixtures.bytes("zero-height.jpg")
        #expect { _ = try ImageDecoder.decode(file) } throws: { Fixtures.isCorrupt($0) }
    }

    @Test func rejectsSignatureWithoutFrame() {
        #expect(throws: ImageDecodeError.self) { _ = try ImageDecoder.decode([0xFF, 0xD8, 0xFF, 0xD9]) }
    }
}
