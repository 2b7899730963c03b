import Foundation
import Service

/// Files under Tests/ServiceTests/Fixtures and the repository root, found from this source file.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { testsDirectory.appendingPathComponent("Fixtures/" + relative) }
    static func bytes(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: url(relative))) }

    static func floats(_ relative: String) throws -> [Float] {
        try Data(contentsOf: url(relative)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// The bundled default model, loaded once for the whole test run.
    static let defaultBundle: Result<ModelBundle, any Error> = Result {
        try ModelBundle.load(path: repositoryRoot.appendingPathComponent("Models/efficientnet-lite0").path)
    }
}

