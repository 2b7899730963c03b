import ONNX

/// Everything the engine refuses, each naming what and why. The service maps these onto
/// HTTP statuses (a bad layer or class is the client's 422; a bad model fails start-up).
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read as an ONNX model.
    case unreadableModel(ONNXError)
    case unsupportedOperator(node: String, opType: String)
    case invalidNode(node: String, opType: String, reason: String)
    /// The graph's input is not one float NCHW image tensor of known spatial size.
    case unsupportedInput(name: String, reason: String)
    case unknownLayer(String)
    case notATargetLayer(String, reason: String)
    case classOutOfRange(Int, classCount: Int)
    case inputSizeMismatch(expected: Int, actual: Int)
    case unsupportedBatch(Int, reason: String)
    /// backward asked for a layer that the last forward pass did not keep the gradient path to.
    case layerNotRetained(String)

    public var description: String {
        switch self {
        case .unreadableModel(let error): "cannot read the model: \(error)"
        case .unsupportedOperator(let node, let op): "node '\(node)': operator \(op) is not supported"
        case .invalidNode(let node, let op, let reason): "node '\(node)' (\(op)): \(reason)"
        case .unsupportedInput(let name, let reason): "input '\(name)': \(reason)"
        case .unknownLayer(let name): "no layer named '\(name)' in the model"
        case .notATargetLayer(let name, let reason): "layer '\(name)' cannot be explained: \(reason)"
        case .classOutOfRange(let index, let count): "class \(index) is out of range: the model has \(count) classes (0...\(count - 1))"
        case .inputSizeMismatch(let expected, let actual): "the input has \(actual) values, the model expects \(expected)"
        case .unsupportedBatch(let batch, let reason): "batch size \(batch): \(reason)"
        case .layerNotRetained(let name): "the last forward pass did not retain layer '\(name)'; pass it as retainingGradientPathTo"
        }
    }
}
