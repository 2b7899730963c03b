/// The one place that turns channel weights into a map, for every CAM method.
public enum CAMComposer {
    /// L^c = ReLU(sum_k w_k A^k) at the layer's resolution (Grad-CAM, Eq. 2), not normalised.
    /// Channels are added in order, each over the whole map, so every position sums in the same
    /// order as a plain loop; the inner loop runs over positions, which the compiler vectorises.
    public static func rawMap(_ maps: FeatureMaps, weights: [Float]) -> Heatmap {
        let z = maps.positions
        var sum = [Float](repeating: 0, count: z)
        guard z > 0 else { return Heatmap(width: maps.width, height: maps.height, values: sum) }
        sum.withUnsafeMutableBufferPointer { sum in
            maps.activations.withUnsafeBufferPointer { a in
                let channels = min(maps.channels, weights.count)
                precondition(a.count >= channels * z, "\(a.count) activations for \(channels) maps of \(z)")
                for k in 0..<channels where weights[k] != 0 {
                    let w = weights[k], plane = a.baseAddress! + k * z
                    for i in 0..<z { sum[i] += w * plane[i] }
                }
                // ReLU keeps the features with a positive influence on the class (Sec. 3).
                for i in 0..<z { sum[i] = max(sum[i], 0) }
            }
        }
        return Heatmap(width: maps.width, height: maps.height, values: sum)
    }

    /// The map a person looks at: scaled to [0, 1], resized to the input, and scaled again,
    /// the same three steps as pytorch-grad-cam (scale_cam_image, then the multi-layer
    /// aggregation's second scaling), so the two libraries' maps can be compared directly.
    public static func displayMap(_ raw: Heatmap, width: Int, height: Int) -> Heatmap {
        raw.normalised().resized(width: width, height: height).normalised()
    }

    /// Runs one method end to end for one image.
    public static func explain(_ maps: FeatureMaps, classIndex: Int, method: some CAMMethod,
                               width: Int, height: Int) throws(CAMError) -> Explanation {
        let weights = try method.channelWeights(for: maps, classIndex: classIndex)
        let raw = rawMap(maps, weights: weights)
        return Explanation(method: method.name, channelWeights: weights, raw: raw, display: displayMap(raw, width: width, height: height))
    }
}

/// The result of one CAM method for one image and class.
public struct Explanation: Sendable {
    public let method: String
    public let channelWeights: [Float]
    /// ReLU(sum_k w_k A^k) at the layer's resolution.
    public let raw: Heatmap
    /// Normalised to [0, 1] at the input's resolution.
    public let display: Heatmap
}
