import Foundation
import ImageCodecs

/// Files made by Scripts/make-codec-fixtures.py, found next to this source file.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Pillow's `Image.open(name).convert("RGB")`, stored raw, with the size it decoded to.
    static func pillowRGB(_ name: String, width: Int, height: Int) throws -> RGBImage {
        let stem = name.split(separator: ".").dropLast().joined(separator: ".")
        return RGBImage(width: width, height: height, pixels: try bytes(stem + ".rgb"))
    }

    /// True for `.corrupt` with a message containing `text` (any message when empty).
    static func isCorrupt(_ error: any Error, mentioning text: String = "") -> Bool {
        guard case .corrupt(let message) = error as? ImageDecodeError else { return false }
        return !message.isEmpty && (text.isEmpty || message.contains(text))
    }

    /// The largest absolute difference between two images' samples (nil if sizes differ).
    static func maxDifference(_ a: RGBImage, _ b: RGBImage) -> Int? {
        guard a.width == b.width, a.height == b.height else { return nil }
        return zip(a.pixels, b.pixels).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
    }
}

/// A deterministic pseudo-random source (SplitMix64), so every run fuzzes the same inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
