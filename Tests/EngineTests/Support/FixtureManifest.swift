import Testing
import Foundation

/// Tests/EngineTests/Fixtures/manifest.json, written by Scripts/make-fixtures.py.
struct FixtureManifest: Decodable {
    struct Target: Decodable {
        let tag: String
        let role: String
        let layerNameByExporter: [String: String]
        let classIndex: Int
        let layerShape: [Int]
        let upShape: [Int]
        let files: [String: String]
    }

    struct Model: Decodable {
        let name: String
        let inputShape: [Int]
        let input2Shape: [Int]
        let numClasses: Int
        let gapLinear: Bool
        let endsInSoftmax: Bool
        let input: String
        let input2: String
        let files: [String: String]
        let logits: String
        let logits2: String
        let camWeights: String?
        let targets: [Target]
    }

    let models: [Model]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let shared: FixtureManifest = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode(FixtureManifest.self, from: data)
    }()

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    static func floats(_ relative: String) throws -> [Float] {
        try Data(contentsOf: url(relative)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Every (model, exporter) pair, for parameterised tests.
    static var exports: [Export] {
        shared.models.flatMap { model in model.files.keys.sorted().map { Export(model: model.name, exporter: $0) } }
    }
}

struct Export: CustomTestStringConvertible, Sendable, Hashable {
    let model: String
    let exporter: String
    var testDescription: String { "\(model)-\(exporter)" }
    var fixture: FixtureManifest.Model { FixtureManifest.shared.models.first { $0.name == model }! }
}
