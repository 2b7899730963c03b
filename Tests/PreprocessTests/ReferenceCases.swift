import Foundation
import ImageCodecs
import Preprocess
import Testing

/// Tests/PreprocessTests/Fixtures/cases.json, written by Scripts/make-codec-fixtures.py:
/// specs in PreprocessSpec's JSON shape and, per (image, spec), torchvision's output.
struct ReferenceCases: Decodable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let image: String
        let spec: String
        /// float32 little-endian CHW tensor, for the small cases.
        let tensor: String?
        /// The 8-bit resized + cropped image (HWC RGB), for the 224 x 224 cases.
        let resized: String?
        var testDescription: String { "\(image) \(spec)" }
    }

    let specs: [String: PreprocessSpec]
    let cases: [Case]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load() throws -> ReferenceCases {
        try JSONDecoder().decode(ReferenceCases.self, from: Data(contentsOf: directory.appendingPathComponent("cases.json")))
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func floats(_ name: String) throws -> [Float] {
        let data = try bytes(name)
        return stride(from: 0, to: data.count, by: 4).map { i in
            Float(bitPattern: UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24)
        }
    }
}
