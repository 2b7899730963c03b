import ImageCodecs
import Preprocess
import Testing
import TestSupport

/// Our pipeline against torchvision's Resize -> CenterCrop -> ToTensor -> Normalize on the
/// same decoded images.
@Suite struct PreprocessorReferenceTests {
    static let references = (try? ReferenceCases.load()) ?? ReferenceCases(specs: [:], cases: [])

    @Test func fixturesArePresent() throws {
        let loaded = try ReferenceCases.load()
        #expect(loaded.cases.count == 12)
    }

    @Test(arguments: references.cases.filter { $0.tensor != nil })
    func tensorEqualsTorchvision(_ reference: ReferenceCases.Case) throws {
        let spec = try #require(Self.references.specs[reference.spec])
        let image = try ImageDecoder.decode(try ReferenceCases.bytes(reference.image))
        let expected = try ReferenceCases.floats(try #require(reference.tensor))
        let tensor = Preprocessor.tensor(from: image, spec: spec)
        #expect(tensor.count == 3 * spec.width * spec.height)
        #expect(tensor.count == expected.count)
        let maxDifference = largestError(zip(tensor, expected).map { abs($0 - $1) })
        // Same integer resampling, same float32 operations: bit-identical.
        #expect(maxDifference == 0)
    }

    @Test(arguments: references.cases.filter { $0.resized != nil })
    func resizedImageEqualsTorchvision(_ reference: ReferenceCases.Case) throws {
        let spec = try #require(Self.references.specs[reference.spec])
        let image = try ImageDecoder.decode(try ReferenceCases.bytes(reference.image))
        let expected = try ReferenceCases.bytes(try #require(reference.resized))
        let resized = Preprocessor.resized(image, spec: spec)
        #expect(resized == RGBImage(width: spec.width, height: spec.height, pixels: expected))
    }
}
