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
        let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        return order.prefix(top).map { i in
            ClassScore(index: i, label: i < labels.count ? labels[i] : "class \(i)", probability: exps[i] / total, logit: logits[i])
        }
    }
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
