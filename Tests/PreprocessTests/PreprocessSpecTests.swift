import Foundation
import Preprocess
import Testing

@Suite struct PreprocessSpecTests {
    static let imageNet = """
        {"width": 224, "height": 224, "resize": {"shorterSide": 256}, "interpolation": "bicubic",
         "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channelOrder": "rgb"}
        """

    func decode(_ json: String) throws -> PreprocessSpec {
        try JSONDecoder().decode(PreprocessSpec.self, from: Data(json.utf8))
    }

    @Test func decodesShorterSideSpec() throws {
        let spec = try decode(Self.imageNet)
        #expect(spec == PreprocessSpec(width: 224, height: 224, resize: .shorterSide(256), interpolation: .bicubic,
                                       mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: .rgb))
    }

    @Test func decodesExactSpecAndRoundTrips() throws {
        let json = Self.imageNet.replacingOccurrences(of: #"{"shorterSide": 256}"#, with: #"{"exact": true}"#)
            .replacingOccurrences(of: #""rgb""#, with: #""bgr""#)
        let spec = try decode(json)
        #expect(spec.resize == .exact && spec.channelOrder == .bgr)
        let again = try JSONDecoder().decode(PreprocessSpec.self, from: JSONEncoder().encode(spec))
        #expect(again == spec)
    }

    @Test(arguments: [#"{"exact": false}"#, #"{"exact": true, "shorterSide": 3}"#, #"{}"#, #"{"shorterSide": "256"}"#])
    func rejectsMalformedResizePolicy(_ resize: String) {
        let json = Self.imageNet.replacingOccurrences(of: #"{"shorterSide": 256}"#, with: resize)
        #expect(throws: DecodingError.self) { _ = try decode(json) }
    }

    @Test func rejectsInvalidValues() {
        let cases: [(String, String, PreprocessSpecError)] = [
            (#""width": 224"#, #""width": 0"#, .sizeOutOfRange(width: 0, height: 224)),
            (#""shorterSide": 256"#, #""shorterSide": 100000"#, .shorterSideOutOfRange(100000)),
            (#""mean": [0.485, 0.456, 0.406]"#, #""mean": [0.5]"#, .notThreeChannels(mean: 1, std: 3)),
            (#""std": [0.229, 0.224, 0.225]"#, #""std": [0.229, 0, 0.225]"#, .nonFiniteOrZeroStatistics),
        ]
        for (field, replacement, error) in cases {
            #expect(throws: error) { _ = try decode(Self.imageNet.replacingOccurrences(of: field, with: replacement)) }
        }
    }

    @Test func rejectsUnknownInterpolation() {
        #expect(throws: DecodingError.self) {
            _ = try decode(Self.imageNet.replacingOccurrences(of: "bicubic", with: "lanczos"))
        }
    }
}
