import Foundation
import TestSupport
import Testing
@testable import Service

struct JSONWriterTests {
    private func written(_ values: [Float], decimals: Int) -> String {
        var w = JSONWriter()
        w.numbers(values, decimals: decimals)
        return w.text
    }

    @Test func fixedDecimalsRoundToNearestAndDropTrailingZeros() {
        #expect(written([0, 1, 0.5, 0.12345, 0.99996, -0.25, 0.00004, 0.00006, 123.45678, -0.00004], decimals: 4)
                == "[0,1,0.5,0.1235,1,-0.25,0,0.0001,123.4568,0]")
        #expect(written([], decimals: 4) == "[]")
        #expect(written([0.5], decimals: 0) == "[1]")
    }

    @Test func valuesTheFixedFormCannotHoldFallBackToShortestTextOrNull() {
        #expect(written([0.5, .nan], decimals: 4) == "[0.5,null]")
        #expect(written([1e20, 0.25], decimals: 4) == "[1e+20,0.25]")
    }

    /// Arrays whose values all round into 0...1 take a table path; one value outside (here 2)
    /// sends the whole array through the general formatter. Both must write the same text, at
    /// ties (0.03125 is 312.5 units exactly: away from zero), next to them, at the ends, for -0.
    @Test func tablePathWritesWhatTheGeneralFormatterWrites() {
        var generator = SplitMix64(state: 5)
        let tie: Float = 0.03125, top: Float = 0.99995, one: Float = 1
        let edges: [Float] = [0, -0.0, 1, tie, tie.nextDown, tie.nextUp, top, top.nextDown, 0.00005,
                              0.00004999, one.nextDown, .leastNonzeroMagnitude, 0.5]
        let values = edges + (0..<20_000).map { _ in Float.random(in: 0...1, using: &generator) }
        let table = written(values, decimals: 4).dropFirst().dropLast().split(separator: ",")
        let general = written(values + [2], decimals: 4).dropFirst().dropLast().split(separator: ",")
        #expect(table.count == values.count && general.count == values.count + 1)
        let mismatch = zip(table, general).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(mismatch == nil, "value \(mismatch.map { "\(values[$0.offset]): \($0.element.0) vs \($0.element.1)" } ?? "")")
        #expect(written([0.03125], decimals: 4) == "[0.0313]")
    }

    /// 10,000 seeded values in [0, 1], as a heatmap holds: valid JSON, no exponent, each parsed
    /// value within half a unit of the fourth decimal of the float it came from.
    @Test func parsedValuesAreWithinHalfAUnitOfTheLastDecimal() throws {
        var generator = SplitMix64(state: 3)
        let values = (0..<10_000).map { _ in Float.random(in: 0...1, using: &generator) }
        let text = written(values, decimals: 4)
        #expect(!text.contains("e"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Double])
        #expect(parsed.count == values.count)
        let worst = largestError(zip(parsed, values).map { abs($0 - Double($1)) })
        #expect(worst <= 0.5e-4 + 1e-12)
    }

    /// Each path writes in place and a failed one is taken back: the members around arrays
    /// that fell back (2 is outside 0...1, NaN and 1e22 have no fixed form) get one comma each.
    @Test func membersAroundNumberArraysAreSeparatedOnce() {
        var w = JSONWriter()
        w.object { w in
            w.key("a"); w.numbers([0.5, 1], decimals: 4)
            w.key("b"); w.numbers([2, 0.25], decimals: 4)
            w.key("c"); w.numbers([Float.nan], decimals: 4)
            w.key("d"); w.numbers([1e20], decimals: 2)
            w.key("e"); w.array { w in w.numbers([0.125], decimals: 4); w.numbers([], decimals: 4) }
        }
        #expect(w.text == #"{"a":[0.5,1],"b":[2,0.25],"c":[null],"d":[1e+20],"e":[[0.125],[]]}"#)
    }
}
