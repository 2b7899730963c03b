import ImageCodecs
import Testing

@Suite struct ImageFormatTests {
    @Test func sniffsMagicNumbers() throws {
        #expect(ImageFormat.sniff(try Fixtures.bytes("rgb8.png")) == .png)
        #expect(ImageFormat.sniff(try Fixtures.bytes("progressive.jpg")) == .jpeg)
        #expect(ImageFormat.sniff([0xFF, 0xD8]) == nil)            // too short to be a JPEG
        #expect(ImageFormat.sniff(Array("GIF89a..".utf8)) == nil)
        #expect(ImageFormat.sniff([UInt8]()) == nil)
    }

    @Test func mapsMediaTypesIgnoringParametersAndCase() {
        #expect(ImageFormat(mediaType: "image/png") == .png)
        #expect(ImageFormat(mediaType: "IMAGE/PNG ; q=1") == .png)
        #expect(ImageFormat(mediaType: "image/jpeg") == .jpeg)
        #expect(ImageFormat(mediaType: "image/jpg;foo=bar") == .jpeg)
        #expect(ImageFormat(mediaType: "image/gif") == nil)
        #expect(ImageFormat(mediaType: "image/pngx") == nil)
        #expect(ImageFormat(mediaType: "") == nil)
    }
}
