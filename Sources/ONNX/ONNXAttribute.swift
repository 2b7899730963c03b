/// An AttributeProto's value. Kinds the Engine never needs (graphs, sparse tensors, type
/// protos, lists of tensors or graphs) are kept as `unsupported` with their
/// AttributeProto.AttributeType code, so a node that uses one can be refused by name.
public enum ONNXAttribute: Sendable {
    case float(Float)
    case int(Int64)
    case string(String)
    case tensor(ONNXTensor)
    case floats([Float])
    case ints([Int64])
    case strings([String])
    case unsupported(typeCode: Int)

    /// The AttributeProto.AttributeType name, for error messages.
    public var kindName: String {
        switch self {
        case .float: "float"
        case .int: "int"
        case .string: "string"
        case .tensor: "tensor"
        case .floats: "floats"
        case .ints: "ints"
        case .strings: "strings"
        case let .unsupported(code): "unsupported type \(code)"
        }
    }
}

extension ONNXAttribute {
    /// Reads an AttributeProto; returns its name and value.
    static func reading(_ reader: WireReader, externalFiles: ExternalDataFiles?) throws(ONNXError) -> (String, ONNXAttribute) {
        var reader = reader
        var name = "", typeCode: Int64 = 0, float: Float?, int: Int64?, string: String?, tensor: ONNXTensor?
        var floats = [UInt32](), ints = [UInt64](), strings = [String]()
        while let field = try reader.next() {
            switch field.number {
            case 1: name = try field.string(in: reader)
            case 20: typeCode = try field.int64(in: reader)
            case 2: float = try field.float(in: reader)
            case 3: int = try field.int64(in: reader)
            case 4: string = try field.string(in: reader)
            case 5: tensor = try ONNXTensor(reading: field.message("TensorProto", in: reader), externalFiles: externalFiles)
            case 7: try field.appendFixed(to: &floats, in: reader)
            case 8: try field.appendVarints(to: &ints, in: reader)
            case 9: strings.append(try field.string(in: reader))
            default: break  // graphs, sparse tensors, type protos, doc_string, ref_attr_name, unknown
            }
        }
        // IR version 1 attributes carry no `type`; then the field that is set decides
        // (onnx.proto, AttributeProto: "exactly one of the value fields" is set).
        if typeCode == 0 {
            typeCode = if float != nil { 1 } else if int != nil { 2 } else if string != nil { 3 }
                else if tensor != nil { 4 } else if !floats.isEmpty { 6 } else if !ints.isEmpty { 7 }
                else if !strings.isEmpty { 8 } else { 0 }
        }
        let value: ONNXAttribute
        switch typeCode {
        case 1: value = .float(float ?? 0)
        case 2: value = .int(int ?? 0)
        case 3: value = .string(string ?? "")
        case 4:
            guard let tensor else { throw .malformed("attribute '\(name)' of type TENSOR has no tensor") }
            value = .tensor(tensor)
        case 6: value = .floats(floats.map(Float.init(bitPattern:)))
        case 7: value = .ints(ints.map { Int64(bitPattern: $0) })
        case 8: value = .strings(strings)
        default: value = .unsupported(typeCode: Int(truncatingIfNeeded: typeCode))
        }
        return (name, value)
    }
}
