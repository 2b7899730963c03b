import ImageCodecs
import Testing

@Suite struct PNGEncoderTests {
    @Test(arguments: [PNGEncoder.Compression.standard, .fast])
    func roundTripsRGB(_ compression: PNGEncoder.Compression) throws {
        let original = try ImageDecoder.decode(try Fixtures.bytes("baseline420.jpg"))
        let png = try PNGEncoder.encode(original, compression: compression)
        #expect(ImageFormat.sniff(png) == .png)
        #expect(try ImageDecoder.decode(png) == original)
    }

    @Test func roundTripsGrayAsReplicatedRGB() throws {
        let (width, height) = (31, 7)
        let gray = (0..<(width * height)).map { UInt8(truncatingIfNeeded: $0 * 37) }
        let png = try PNGEncoder.encodeGray(width: width, height: height, pixels: gray)
        let decoded = try ImageDecoder.decode(png)
        #expect(decoded.width == width && decoded.height == height)
        #expect(decoded.pixels == gray.flatMap { [$0, $0, $0] })
    }

    @Test func refusesPixelCountThatDoesNotMatchSize() {
        #expect(throws: ImageEncodeError.invalidDimensions(width: 4, height: 4, bytes: 15)) {
            _ = try PNGEncoder.encodeGray(width: 4, height: 4, pixels: Array(repeating: 0, count: 15))
        }
        #expect(throws: ImageEncodeError.invalidDimensions(width: 0, height: 4, bytes: 0)) {
            _ = try PNGEncoder.encodeGray(width: 0, height: 4, pixels: [])
        }
    }
}
