import ImageCodecs
import Testing

/// Draft decoding (JPEGDraft) against Pillow's draft mode: `Image.draft("RGB", size)` then
/// `convert("RGB")` (references: Scripts/make-codec-fixtures.py, NAME.draftS.rgb).
@Suite struct JPEGDraftTests {
    @Test(arguments: JPEGDecoderTests.cases, [2, 4, 8])
    func draftDecodesExactlyAsPillowsDraftMode(_ fixture: (name: String, width: Int, height: Int), reduction: Int) throws {
        let draft = JPEGDraft(width: fixture.width / reduction, height: fixture.height / reduction)
        let decoded = try ImageDecoder.decode(try Fixtures.bytes(fixture.name + ".jpg"), draft: draft)
        let width = (fixture.width + reduction - 1) / reduction, height = (fixture.height + reduction - 1) / reduction
        let pillow = RGBImage(width: width, height: height, pixels: try Fixtures.bytes("\(fixture.name).draft\(reduction).rgb"))
        #expect(decoded.width == width && decoded.height == height)
        #expect(Fixtures.maxDifference(decoded, pillow) == 0)
    }

    @Test func reductionIsTheLargestPowerOfTwoUpToEightThatKeepsTheDraftCovered() {
        let draft = JPEGDraft(width: 512, height: 512)
        #expect(draft.reduction(imageWidth: 4032, imageHeight: 3024) == 4)   // min(7, 5) = 5
        #expect(draft.reduction(imageWidth: 1024, imageHeight: 1024) == 2)
        #expect(draft.reduction(imageWidth: 1023, imageHeight: 4096) == 1)   // 1023 / 512 = 1
        #expect(draft.reduction(imageWidth: 9000, imageHeight: 9000) == 8)   // 17, capped at 8
        #expect(JPEGDraft(width: 100, height: 10).reduction(imageWidth: 350, imageHeight: 1000) == 2)  // min(3, 100) = 3
    }

    @Test func aDraftTheImageCannotCoverTwiceDecodesItWhole() throws {
        let decoded = try ImageDecoder.decode(try Fixtures.bytes("baseline420.jpg"), draft: JPEGDraft(width: 33, height: 24))
        let whole = try Fixtures.pillowRGB("baseline420.jpg", width: 64, height: 48)
        #expect(Fixtures.maxDifference(decoded, whole) == 0)
    }

    @Test func pngsAreDecodedWholeWhateverTheDraft() throws {
        let decoded = try ImageDecoder.decode(try Fixtures.bytes("rgb8.png"), draft: JPEGDraft(width: 1, height: 1))
        let whole = try ImageDecoder.decode(try Fixtures.bytes("rgb8.png"))
        #expect(decoded == whole)
    }

    /// Every block of the stored image is still read, so the limits apply to its stored size.
    @Test func limitsApplyToTheStoredSize() throws {
        let file = try Fixtures.bytes("huge.jpg")
        #expect(throws: ImageDecodeError.tooLarge(width: 30000, height: 30000, limit: 40_000_000)) {
            _ = try ImageDecoder.decode(file, draft: JPEGDraft(width: 100, height: 100))
        }
    }
}
