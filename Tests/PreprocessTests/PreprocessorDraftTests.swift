import ImageCodecs
@testable import Preprocess
import Testing

struct PreprocessorDraftTests {
    static func spec(_ resize: ResizePolicy, width: Int = 224, height: Int = 224) -> PreprocessSpec {
        PreprocessSpec(width: width, height: height, resize: resize, interpolation: .bicubic,
                       mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], channelOrder: .rgb)
    }

    @Test func theDraftIsTwiceTheShorterSideOnBothSides() {
        #expect(Preprocessor.jpegDraft(for: Self.spec(.shorterSide(256))) == JPEGDraft(width: 512, height: 512))
    }

    @Test func aStretchDraftsAtTwiceItsTarget() {
        #expect(Preprocessor.jpegDraft(for: Self.spec(.exact, width: 300, height: 200)) == JPEGDraft(width: 600, height: 400))
    }

    /// A 12-megapixel photo for Resize(256): 1/4 of its size, 1008 x 756, still at least 512 on
    /// its shorter side; 1/8 (504 x 378) would not be.
    @Test func aPhoneSizedPhotoIsReducedByFourForResize256() {
        #expect(Preprocessor.jpegDraft(for: Self.spec(.shorterSide(256))).reduction(imageWidth: 4032, imageHeight: 3024) == 4)
    }
}
