import CAM
import Foundation
import ImageCodecs

/// One class's score, as the JSON response lists it.
public struct ClassScore: Sendable, Codable, Equatable {
    public let index: Int
    public let label: String
    public let probability: Float
    public let logit: Float

    /// Softmax over all logits (computed stably), then the `top` largest.
    static func ranked(logits: [Float], labels: [String], top: Int) -> [ClassScore] {
        guard let peak = logits.max() else { return [] }
        let exps = logits.map { expf($0 - peak) }
        let total = exps.reduce(0, +)
        return largest(top, of: logits).map { i in
            ClassScore(index: i, label: i < labels.count ? labels[i] : "class \(i)", probability: exps[i] / total, logit: logits[i])
        }
    }

    /// The indices of the `count` largest logits, largest first and equal logits by index: what
    /// a stable sort by descending logit starts with. A response lists a few of 1,000 ImageNet
    /// classes, and sorting them all through a closure took 0.45% of a POST /explain's CPU in
    /// perf; so for a short list each logit is compared with the smallest kept, which most do
    /// not beat, and inserted in order when it does.
    static func largest(_ count: Int, of logits: [Float]) -> [Int] {
        guard count > 0 else { return [] }
        guard count <= shortList else {
            return Array(logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }.prefix(count))
        }
        var kept = [Int]()
        kept.reserveCapacity(count + 1)
        for i in logits.indices where kept.count < count || logits[i] > logits[kept[kept.count - 1]] {
            // Strictly greater: a logit equal to one kept has a larger index and goes after it.
            var at = kept.count
            while at > 0 && logits[i] > logits[kept[at - 1]] { at -= 1 }
            kept.insert(i, at: at)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }

    /// Longest list kept by insertion; each insertion moves at most this many indices.
    static let shortList = 32
}

/// The outcome of the pipeline for one image, before it is encoded as JSON or PNG.
public struct ExplainResult: Sendable {
    public var model: String
    public var targetClass: Int
    public var top: [ClassScore]
    public var logits: [Float]?
    public var targetLayer: String? = nil
    public var method: String? = nil
    public var heatmap: Heatmap? = nil
    public var rawHeatmap: Heatmap? = nil
    public var channelWeights: [Float]? = nil
    public var timings = Timings()
    /// The decoded upload, for overlays; nil when the input was a tensor.
    public var sourceImage: RGBImage? = nil

    public init(model: String, targetClass: Int, top: [ClassScore], logits: [Float]?) {
        self.model = model; self.targetClass = targetClass; self.top = top; self.logits = logits
    }
}
