import Testing
import TestSupport
@testable import Engine

/// Im2Col.ShiftedPlanes alone: the strips it packs straight from the input against the same
/// column rows built by Im2Col.pack, cut into strips of 16 columns as PointwiseProduct packs
/// a matrix. How the products use them is covered by ConvTests.
struct Im2ColTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let c: Int, h: Int, w: Int, kh: Int, kw: Int
        /// top, left, bottom, right
        let pads: (Int, Int, Int, Int)
        let outputRows: Range<Int>
        var testDescription: String { "\(c)x\(h)x\(w) kernel \(kh)x\(kw) pads \(pads) output rows \(outputRows)" }

        var geometry: ConvGeometry {
            ConvGeometry(batch: 1, inputChannels: c, inputHeight: h, inputWidth: w, outputChannels: 1,
                         outputHeight: h + pads.0 + pads.2 - kh + 1, outputWidth: w, kernelHeight: kh, kernelWidth: kw,
                         padTop: pads.0, padLeft: pads.1)
        }
    }

    @Test(arguments: [
        Case(c: 2, h: 14, w: 14, kh: 3, kw: 3, pads: (1, 1, 1, 1), outputRows: 0..<14),   // 12 strips and 4 columns
        Case(c: 3, h: 7, w: 7, kh: 3, kw: 3, pads: (1, 1, 1, 1), outputRows: 0..<7),      // strips spanning three rows
        Case(c: 2, h: 14, w: 14, kh: 3, kw: 3, pads: (1, 1, 1, 1), outputRows: 7..<14),   // a thread's tile, bottom half
        Case(c: 4, h: 9, w: 19, kh: 3, kw: 3, pads: (0, 2, 2, 0), outputRows: 2..<9),
        Case(c: 2, h: 6, w: 2, kh: 5, kw: 5, pads: (2, 2, 2, 2), outputRows: 0..<6),      // taps past the whole row
        Case(c: 2, h: 5, w: 21, kh: 3, kw: 1, pads: (1, 0, 1, 0), outputRows: 1..<4),
    ])
    func shiftedPlaneStripsEqualIm2ColColumnRowsCutIntoStrips(_ t: Case) {
        let g = t.geometry
        #expect(Im2Col.readsShiftedPlanes(g))
        var random = SplitMix64(state: UInt64(t.c * 7_919 + t.h * 104_729 + t.w))
        // Every value nonzero, so that a lane left unwritten or taken from the wrong place shows.
        let input = (0..<(t.c * g.inputPlane)).map { _ in Float(Double(random.next() % 1999) / 1000 - 0.9995) }
        let channels = 0..<t.c, rows = channels.count * t.kh * t.kw, width = t.outputRows.count * g.outputWidth
        var columns = [Float](repeating: .nan, count: rows * width)
        input.withUnsafeBufferPointer { x in
            Im2Col.pack(g, channels: channels, outputRows: t.outputRows, input: x.baseAddress!, columns: &columns, firstChannel: 0)
            let source = Im2Col.ShiftedPlanes(g, input: x.baseAddress!, outputRows: t.outputRows)
            // Row ranges that start inside a channel's taps, as chunks of k do.
            for part in [0..<rows, (rows / 3)..<rows, 1..<max(1, rows - 2)] where !part.isEmpty {
                for column in stride(from: 0, to: width, by: 16) {
                    let count = min(16, width - column)
                    var packed = [Float](repeating: .nan, count: 16 * part.count)
                    source.packStrip(rows: part, column: column, count: count, into: &packed)
                    for (index, r) in part.enumerated() {
                        for lane in 0..<16 {
                            let expected = lane < count ? columns[r * width + column + lane] : 0
                            #expect(packed[index * 16 + lane] == expected, "row \(r), column \(column + lane)")
                        }
                    }
                }
                for column in [0, width / 2, width - 1] {
                    var packed = [Float](repeating: .nan, count: part.count)
                    source.packColumn(rows: part, column: column, into: &packed)
                    #expect(packed == part.map { columns[$0 * width + column] }, "column \(column)")
                }
            }
        }
    }
}
