/// One image's feature maps at the target layer: A (K, u, v) and, for gradient-based
/// methods, dy^c/dA (K, u, v), both row-major.
public struct FeatureMaps: Sendable {
    public let channels: Int, height: Int, width: Int
    public let activations: ArraySlice<Float>
    public let gradients: ArraySlice<Float>?

    public init(channels: Int, height: Int, width: Int, activations: ArraySlice<Float>, gradients: ArraySlice<Float>? = nil) {
        self.channels = channels; self.height = height; self.width = width
        self.activations = activations; self.gradients = gradients
    }

    /// Z in the Grad-CAM paper: the number of positions in a feature map.
    public var positions: Int { height * width }
}

public enum CAMError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingGradients(method: String)
    case notApplicable(method: String, reason: String)

    public var description: String {
        switch self {
        case .missingGradients(let method): "\(method) needs the gradients of the target layer"
        case .notApplicable(let method, let reason): "\(method) cannot explain this layer: \(reason)"
        }
    }
}

/// A class activation mapping method: it supplies one weight per channel, and CAMComposer
/// does the rest (weighted sum, ReLU, upsampling, normalisation). New methods (Grad-CAM++,
/// XGrad-CAM, ...) are small types that conform to this.
public protocol CAMMethod: Sendable {
    /// The name used in requests and responses, e.g. "gradcam".
    var name: String { get }
    var needsGradients: Bool { get }
    func channelWeights(for maps: FeatureMaps, classIndex: Int) throws(CAMError) -> [Float]
}
