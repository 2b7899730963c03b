/// Everything that can go wrong while reading an ONNX file. Every message names the place
/// (message and field, node, tensor or file) and the reason, so a user can act on it.
public enum ONNXError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes end before a field or length prefix that started at `offset` is complete.
    case truncated(context: String, offset: Int)
    /// The bytes are not a well-formed protobuf message of the expected shape.
    case malformed(String)
    /// The model's IR version is outside `ONNXModelLoader.supportedIRVersions`.
    case unsupportedIRVersion(Int64)
    /// The default-domain opset is outside `ONNXModelLoader.supportedDefaultOpsets`.
    case unsupportedOpset(domain: String, version: Int64)
    /// The model imports no opset for the default domain ("" or "ai.onnx").
    case missingDefaultOpset
    /// A tensor's external data cannot be located or read safely.
    case externalData(String)
    /// A tensor holds a different number of bytes (or elements) than its dims demand.
    case dataSizeMismatch(tensor: String, expected: Int, actual: Int)
    /// A node's attribute is of another type than asked for.
    case badAttribute(node: String, name: String, reason: String)
    /// The bytes parse, but do not describe a model (no IR version, no graph).
    case notAModel(String)
    /// The file cannot be opened, sized or mapped.
    case fileUnreadable(String)
    /// A tensor's data type cannot be converted to the element type asked for.
    case unsupportedConversion(tensor: String, from: ONNXDataType, to: String)
    /// A tensor's value does not fit the element type asked for (a uint64 above Int64.max).
    case valueOutOfRange(tensor: String, reason: String)
    /// The model uses a part of the format this reader deliberately does not support.
    case unsupportedFeature(String)

    public var description: String {
        switch self {
        case let .truncated(context, offset):
            "ONNX file truncated: \(context) at byte \(offset) runs past the end of its data"
        case let .malformed(reason):
            "malformed ONNX file: \(reason)"
        case let .unsupportedIRVersion(version):
            "unsupported ONNX IR version \(version) (supported: \(Self.describe(ONNXModelLoader.supportedIRVersions)))"
        case let .unsupportedOpset(domain, version):
            "unsupported opset \(version) for domain '\(domain.isEmpty ? "ai.onnx" : domain)' "
                + "(supported: \(Self.describe(ONNXModelLoader.supportedDefaultOpsets)))"
        case .missingDefaultOpset:
            "the model imports no opset for the default domain ai.onnx"
        case let .externalData(reason):
            "external data: \(reason)"
        case let .dataSizeMismatch(tensor, expected, actual):
            "tensor '\(tensor)' holds \(actual) bytes or elements of data, but its dims and type need \(expected)"
        case let .badAttribute(node, name, reason):
            "node '\(node)', attribute '\(name)': \(reason)"
        case let .notAModel(reason):
            "not an ONNX model: \(reason)"
        case let .fileUnreadable(reason):
            "cannot read model file: \(reason)"
        case let .unsupportedConversion(tensor, from, to):
            "tensor '\(tensor)' of type \(from) cannot be read as \(to)"
        case let .valueOutOfRange(tensor, reason):
            "tensor '\(tensor)': \(reason)"
        case let .unsupportedFeature(reason):
            "unsupported ONNX feature: \(reason)"
        }
    }

    private static func describe(_ range: ClosedRange<Int64>) -> String {
        "\(range.lowerBound)...\(range.upperBound)"
    }
}
