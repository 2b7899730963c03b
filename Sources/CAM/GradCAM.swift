/// Grad-CAM (Selvaraju et al., ICCV 2017), Eq. 1: the weight of channel k for class c is the
/// global average of the gradient of the score over that feature map,
/// alpha_k^c = (1/Z) * sum_ij dy^c / dA^k_ij.
public struct GradCAM: CAMMethod {
    public let name = "gradcam"
    public let needsGradients = true

    public init() {}

    public func channelWeights(for maps: FeatureMaps, classIndex: Int) throws(CAMError) -> [Float] {
        guard let gradients = maps.gradients else { throw .missingGradients(method: name) }
        return gradients.withUnsafeBufferPointer { ChannelSums.means(of: $0, channels: maps.channels, positions: maps.positions) }
    }
}

/// CAM (Zhou et al., CVPR 2016): for a network that ends in global average pooling and one
/// linear layer, the weight of channel k for class c is that layer's weight w_k^c.
/// Grad-CAM paper, Section 3.1: at that layer w_k^c = Z * alpha_k^c, so both maps agree up to Z.
public struct ClassActivationMapping: CAMMethod {
    public let name = "cam"
    public let needsGradients = false
    /// The final linear layer's weights, (classes, K) row-major.
    public let classifierWeights: [Float]
    public let classCount: Int

    public init(classifierWeights: [Float], classCount: Int) {
        self.classifierWeights = classifierWeights
        self.classCount = classCount
    }

    public func channelWeights(for maps: FeatureMaps, classIndex: Int) throws(CAMError) -> [Float] {
        guard classCount > 0, classifierWeights.count == classCount * maps.channels else {
            throw .notApplicable(method: name, reason: "the classifier has \(classifierWeights.count) weights for \(classCount) classes and \(maps.channels) channels")
        }
        guard classIndex >= 0 && classIndex < classCount else {
            throw .notApplicable(method: name, reason: "class \(classIndex) is out of range")
        }
        return Array(classifierWeights[(classIndex * maps.channels)..<((classIndex + 1) * maps.channels)])
    }
}
