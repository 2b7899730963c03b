/// One dimension of a TensorShapeProto: `dim_value` and `dim_param` form a oneof; neither set
/// means the size is unknown.
public enum ONNXDimension: Sendable, Equatable {
    case value(Int)
    case param(String)
    case unknown
}

/// A ValueInfoProto: a graph input, output or intermediate value with its declared type.
/// Only tensor types are described; for sequences, maps and other types, `elementType` and
/// `shape` are nil.
public struct ONNXValueInfo: Sendable {
    public let name: String
    /// nil when the type is not a tensor, or its element type is unknown to this reader.
    public let elementType: ONNXDataType?
    /// nil when no shape is declared (rank unknown); [] for a scalar.
    public let shape: [ONNXDimension]?

    public init(name: String, elementType: ONNXDataType?, shape: [ONNXDimension]?) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }

    /// ValueInfoProto: name = 1, type = 2. TypeProto: tensor_type = 1.
    /// TypeProto.Tensor: elem_type = 1, shape = 2.
    init(reading reader: WireReader) throws(ONNXError) {
        var reader = reader
        var name = "", elementCode: Int64 = 0, shape: [ONNXDimension]?
        while let field = try reader.next() {
            switch field.number {
            case 1: name = try field.string(in: reader)
            case 2:
                var type = try field.message("TypeProto", in: reader)
                while let typeField = try type.next() {
                    guard typeField.number == 1 else { continue }  // other kinds: sequence, map...
                    var tensorType = try typeField.message("TypeProto.Tensor", in: type)
                    while let tensorField = try tensorType.next() {
                        switch tensorField.number {
                        case 1: elementCode = try tensorField.int64(in: tensorType)
                        case 2: shape = try Self.readShape(tensorField.message("TensorShapeProto", in: tensorType))
                        default: break
                        }
                    }
                }
            default: break  // doc_string, metadata_props
            }
        }
        self.init(name: name, elementType: ONNXDataType(rawValue: Int(truncatingIfNeeded: elementCode)), shape: shape)
    }

    /// TensorShapeProto: dim = 1. Dimension: dim_value = 1, dim_param = 2 (a oneof: the last
    /// one written wins, as protobuf specifies for oneofs).
    private static func readShape(_ reader: WireReader) throws(ONNXError) -> [ONNXDimension] {
        var reader = reader
        var dims = [ONNXDimension]()
        while let field = try reader.next() {
            guard field.number == 1 else { continue }
            var dimension = try field.message("TensorShapeProto.Dimension", in: reader)
            var value = ONNXDimension.unknown
            while let dimField = try dimension.next() {
                switch dimField.number {
                case 1:
                    // A negative size is not a size; some exporters write -1 for "unknown".
                    let size = try dimField.int64(in: dimension)
                    value = size >= 0 ? .value(Int(size)) : .unknown
                case 2: value = .param(try dimField.string(in: dimension))
                default: break  // denotation
                }
            }
            dims.append(value)
        }
        return dims
    }
}
