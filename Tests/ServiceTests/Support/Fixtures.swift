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

/// Pearson correlation of two equally long series.
func pearson(_ a: [Float], _ b: [Float]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0.0) { $0 + Double($1) } / n, mb = b.reduce(0.0) { $0 + Double($1) } / n
    var cov = 0.0, va = 0.0, vb = 0.0
    for (x, y) in zip(a, b) {
        let dx = Double(x) - ma, dy = Double(y) - mb
        cov += dx * dy; va += dx * dx; vb += dy * dy
    }
    return cov / (va * vb).squareRoot()
}

/// max |a - b|
func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
