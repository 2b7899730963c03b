import Testing
import TestSupport
@testable import CAM

/// The vectorised CAM steps give the same floats as the plain loops they replace, transcribed
/// here: each keeps every sum's order of additions, so equality is exact, not approximate.
struct PlainLoopTests {
    static func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(state: seed)
        return (0..<count).map { _ in Float.random(in: -3...5, using: &generator) }
    }

    /// (K, height, width) cases: ResNet's 7x7, odd sizes, fewer than eight channels, a remainder.
    static let shapes = [(2048, 7, 7), (1280, 7, 7), (13, 5, 3), (3, 1, 1), (9, 14, 14)]

    @Test(arguments: shapes.indices)
    func gradCAMWeightsEqualOneRunningSumPerChannel(_ index: Int) throws {
        let (k, h, w) = Self.shapes[index]
        let gradients = Self.randomValues(k * h * w, seed: UInt64(index))
        let maps = FeatureMaps(channels: k, height: h, width: w, activations: gradients[...], gradients: gradients[...])
        let plain = (0..<k).map { c in
            var sum: Float = 0
            for i in 0..<(h * w) { sum += gradients[c * h * w + i] }
            return sum / Float(h * w)
        }
        #expect(Self.firstDifference(try GradCAM().channelWeights(for: maps, classIndex: 0), plain) == nil)
    }

    @Test(arguments: shapes.indices)
    func rawMapEqualsTheChannelByChannelSum(_ index: Int) {
        let (k, h, w) = Self.shapes[index]
        let activations = Self.randomValues(k * h * w, seed: 100 + UInt64(index))
        var weights = Self.randomValues(k, seed: 200 + UInt64(index))
        weights[0] = 0
        let maps = FeatureMaps(channels: k, height: h, width: w, activations: activations[...])
        var plain = [Float](repeating: 0, count: h * w)
        for c in 0..<k where weights[c] != 0 {
            for i in 0..<(h * w) { plain[i] += weights[c] * activations[c * h * w + i] }
        }
        #expect(Self.firstDifference(CAMComposer.rawMap(maps, weights: weights).values, plain.map { max($0, 0) }) == nil)
    }

    /// (width, height) in and out: the service's 7x7 to 224x224, a downsampling, odd sizes.
    static let resizes = [(7, 7, 224, 224), (14, 14, 224, 224), (6, 6, 4, 3), (5, 3, 17, 9), (1, 1, 8, 8), (3, 9, 3, 9)]

    @Test(arguments: resizes.indices)
    func resizedEqualsTheFourTapLoop(_ index: Int) {
        let (w, h, outWidth, outHeight) = Self.resizes[index]
        let map = Heatmap(width: w, height: h, values: Self.randomValues(w * h, seed: 300 + UInt64(index)))
        #expect(Self.firstDifference(map.resized(width: outWidth, height: outHeight).values, Self.fourTapBilinear(map, outWidth, outHeight)) == nil)
    }

    @Test(arguments: [1, 7, 8, 9, 50_176])
    func normalisedEqualsShiftThenDivideByTheShiftedMaximum(_ count: Int) {
        let values = Self.randomValues(count, seed: 400 + UInt64(count))
        let low = values.min()!
        let shifted = values.map { $0 - low }
        let high = shifted.max()!
        let plain = shifted.map { $0 / (1e-7 + high) }
        #expect(Self.firstDifference(Heatmap(width: count, height: 1, values: values).normalised().values, plain) == nil)
    }

    /// Where two arrays first differ, with both values (a count mismatch is a difference at the
    /// shorter one's end); nil when they are equal. Keeps a failure's message short.
    static func firstDifference(_ a: [Float], _ b: [Float]) -> String? {
        if let i = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) { return "index \(i): \(a[i]) != \(b[i])" }
        return a.count == b.count ? nil : "counts \(a.count) != \(b.count)"
    }

    /// The direct form, OpenCV's INTER_LINEAR with half-pixel centres, one output at a time.
    static func fourTapBilinear(_ map: Heatmap, _ outWidth: Int, _ outHeight: Int) -> [Float] {
        func tap(_ o: Int, _ input: Int, _ output: Int) -> (low: Int, high: Int, weight: Float) {
            let source = (Float(o) + 0.5) * (Float(input) / Float(output)) - 0.5
            var low = Int(source.rounded(.down)), weight = source - Float(low)
            if low < 0 { low = 0; weight = 0 }
            if low >= input - 1 { low = input - 1; weight = 0 }
            return (low, min(low + 1, input - 1), weight)
        }
        var out = [Float](repeating: 0, count: outWidth * outHeight)
        for oy in 0..<outHeight {
            let ty = tap(oy, map.height, outHeight)
            for ox in 0..<outWidth {
                let tx = tap(ox, map.width, outWidth)
                let top = map[tx.low, ty.low] * (1 - tx.weight) + map[tx.high, ty.low] * tx.weight
                let bottom = map[tx.low, ty.high] * (1 - tx.weight) + map[tx.high, ty.high] * tx.weight
                out[oy * outWidth + ox] = top * (1 - ty.weight) + bottom * ty.weight
            }
        }
        return out
    }
}
