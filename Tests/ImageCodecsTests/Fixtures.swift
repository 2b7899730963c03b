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

