import ImageCodecs
@testable import Preprocess
import Testing
import TestSupport

/// The vectorised resampler against a scalar transcription of Pillow's ImagingResampleInner
/// (one multiply-add per tap and sample, in Pillow's loop order) on random images: sizes whose
/// lines are shorter than one 16-byte group, that are not a multiple of 16, up- and downscales,
/// and windows that start inside the image. The torchvision fixtures (PreprocessorReferenceTests)
/// pin both against Pillow itself.
@Suite struct ResamplerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let source: (width: Int, height: Int)
        let target: (width: Int, height: Int)
        let columns: Range<Int>, rows: Range<Int>
        let bicubic: Bool
        var testDescription: String {
            "\(source.width)x\(source.height) -> \(target.width)x\(target.height) [\(columns), \(rows)] \(bicubic ? "bicubic" : "bilinear")"
        }
    }

    static let cases: [Case] = [
        Case(source: (451, 300), target: (384, 256), columns: 80..<304, rows: 16..<240, bicubic: true),
        Case(source: (451, 300), target: (384, 256), columns: 80..<304, rows: 16..<240, bicubic: false),
        Case(source: (7, 5), target: (3, 2), columns: 0..<3, rows: 0..<2, bicubic: true),
        Case(source: (5, 9), target: (4, 13), columns: 0..<4, rows: 0..<13, bicubic: true),
        Case(source: (6, 6), target: (17, 11), columns: 2..<15, rows: 1..<10, bicubic: false),
        Case(source: (33, 21), target: (33, 10), columns: 0..<33, rows: 0..<10, bicubic: true),
        Case(source: (33, 21), target: (12, 21), columns: 3..<12, rows: 0..<21, bicubic: true),
        Case(source: (199, 301), target: (256, 387), columns: 16..<240, rows: 81..<305, bicubic: true),
        Case(source: (1000, 40), target: (224, 9), columns: 0..<224, rows: 0..<9, bicubic: false),
        // 129 rows: two whole bands of the horizontal pass and one of a single row.
        Case(source: (500, 129), target: (97, 129), columns: 3..<97, rows: 0..<129, bicubic: true),
    ]

    @Test(arguments: cases)
    func vectorisedResizeEqualsScalarPillowLoops(_ c: Case) {
        var generator = SplitMix64(state: UInt64(c.source.width * 1_000 + c.source.height))
        let pixels = (0..<(c.source.width * c.source.height * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let image = RGBImage(width: c.source.width, height: c.source.height, pixels: pixels)
        let filter: ResampleFilter = c.bicubic ? .cubic : .triangle
        let resized = Resampler.resize(image, width: c.target.width, height: c.target.height,
                                       columns: c.columns, rows: c.rows, filter: filter)
        let expected = Self.scalarResize(image, width: c.target.width, height: c.target.height,
                                         columns: c.columns, rows: c.rows, filter: filter)
        #expect(resized.width == c.columns.count && resized.height == c.rows.count)
        #expect(resized == expected)
    }

    /// Pillow's two passes written out plainly: horizontal over every source row the vertical
    /// pass reads, then vertical, each summing in 32 bits and clipping to 8.
    static func scalarResize(_ image: RGBImage, width: Int, height: Int, columns: Range<Int>, rows: Range<Int>,
                             filter: ResampleFilter) -> RGBImage {
        let vertical = height == image.height ? nil
            : ResampleTaps(inputSize: image.height, outputSize: height, outputs: rows, filter: filter)
        let sourceRows = vertical?.inputs ?? rows
        var stripe = [UInt8]()
        if width == image.width {
            stripe = image.cropped(columns: columns, rows: sourceRows).pixels
        } else {
            let taps = ResampleTaps(inputSize: image.width, outputSize: width, outputs: columns, filter: filter)
            for y in sourceRows {
                for x in 0..<columns.count {
                    for channel in 0..<3 {
                        var sum = Int32(1 << (ResampleTaps.precisionBits - 1))
                        for tap in 0..<taps.count[x] {
                            let sample = image.pixels[(y * image.width + taps.first[x] + tap) * 3 + channel]
                            sum += Int32(sample) * taps.weights[x * taps.stride + tap]
                        }
                        stripe.append(ResampleTaps.clip8(Int(sum)))
                    }
                }
            }
        }
        guard let vertical else { return RGBImage(width: columns.count, height: sourceRows.count, pixels: stripe) }
        let rowBytes = columns.count * 3
        var output = [UInt8]()
        for y in 0..<rows.count {
            for sample in 0..<rowBytes {
                var sum = Int32(1 << (ResampleTaps.precisionBits - 1))
                for tap in 0..<vertical.count[y] {
                    let row = vertical.first[y] - sourceRows.lowerBound + tap
                    sum += Int32(stripe[row * rowBytes + sample]) * vertical.weights[y * vertical.stride + tap]
                }
                output.append(ResampleTaps.clip8(Int(sum)))
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: output)
    }
}
