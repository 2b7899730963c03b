import ImageCodecs
@testable import Preprocess
import Testing

@Suite struct PreprocessorGeometryTests {
    /// torchvision: new_long = int(size * long / short); the shorter side keeps its place.
    @Test func shorterSideScalesLongSideWithTruncation() {
        #expect(Preprocessor.shorterSideSize(width: 300, height: 200, shorterSide: 256) == (384, 256))
        #expect(Preprocessor.shorterSideSize(width: 199, height: 301, shorterSide: 256) == (256, 387))
        #expect(Preprocessor.shorterSideSize(width: 500, height: 500, shorterSide: 224) == (224, 224))
        #expect(Preprocessor.shorterSideSize(width: 640, height: 427, shorterSide: 256) == (383, 256))
    }

    /// torchvision: int(round((size - crop) / 2.0)), with Python rounding halves to even.
    @Test func centerCropRoundsHalvesToEven() {
        #expect(Preprocessor.centerCropOffset(size: 73, crop: 64) == 4)   // 4.5 -> 4
        #expect(Preprocessor.centerCropOffset(size: 75, crop: 64) == 6)   // 5.5 -> 6
        #expect(Preprocessor.centerCropOffset(size: 256, crop: 224) == 16)
        #expect(Preprocessor.centerCropOffset(size: 64, crop: 64) == 0)
    }

    /// Smaller than the crop: zero padding of (crop - size) // 2 before the image.
    @Test func centerCropPadsSmallImages() {
        #expect(Preprocessor.centerCropOffset(size: 60, crop: 64) == -2)
        #expect(Preprocessor.centerCropOffset(size: 61, crop: 64) == -1)
    }

    /// A 1 x 3000 strip scaled to shorter side 256 would be 256 x 768000 pixels; only the
    /// crop is computed. A constant image must stay constant through resampling.
    @Test func extremeAspectRatioComputesOnlyTheCrop() {
        let strip = RGBImage(width: 1, height: 3000, pixels: Array(repeating: 77, count: 3000 * 3))
        let spec = PreprocessSpec(width: 224, height: 224, resize: .shorterSide(256), interpolation: .bicubic,
                                  mean: [0, 0, 0], std: [1, 1, 1], channelOrder: .rgb)
        let resized = Preprocessor.resized(strip, spec: spec)
        #expect(resized == RGBImage(width: 224, height: 224, pixels: Array(repeating: 77, count: 224 * 224 * 3)))
    }

    @Test func bgrTensorIsRGBTensorWithChannelsSwapped() {
        let pixels = (0..<(5 * 4 * 3)).map { UInt8(truncatingIfNeeded: $0 * 29) }
        let image = RGBImage(width: 5, height: 4, pixels: pixels)
        var spec = PreprocessSpec(width: 5, height: 4, resize: .exact, interpolation: .bilinear,
                                  mean: [0.1, 0.2, 0.3], std: [0.5, 0.5, 0.5], channelOrder: .rgb)
        let rgb = Preprocessor.tensor(from: image, spec: spec)
        spec.channelOrder = .bgr
        spec.mean = [0.3, 0.2, 0.1]
        let bgr = Preprocessor.tensor(from: image, spec: spec)
        let plane = 20
        #expect(Array(bgr[0..<plane]) == Array(rgb[(2 * plane)...]))
        #expect(Array(bgr[(2 * plane)...]) == Array(rgb[0..<plane]))
    }

    /// Same size in and out: Pillow copies, so the tensor is just the normalised pixels.
    @Test func sameSizeExactResizeKeepsPixels() {
        let pixels = (0..<(7 * 3 * 3)).map { UInt8(truncatingIfNeeded: $0 * 13) }
        let image = RGBImage(width: 7, height: 3, pixels: pixels)
        let spec = PreprocessSpec(width: 7, height: 3, resize: .exact, interpolation: .bicubic,
                                  mean: [0, 0, 0], std: [1, 1, 1], channelOrder: .rgb)
        #expect(Preprocessor.resized(image, spec: spec) == image)
    }
}
