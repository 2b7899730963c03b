/// TensorProto.DataType (onnx.proto). Codes this reader does not know are refused for tensors
/// (their size cannot be checked) and read as `nil` element types in value infos.
public enum ONNXDataType: Int, Sendable, CaseIterable {
    // Interpolating a case prints its name ("float16"), which error messages rely on.
    case float = 1, uint8, int8, uint16, int16, int32, int64, string, bool, float16, double, uint32, uint64
    case complex64, complex128, bfloat16
    case float8e4m3fn, float8e4m3fnuz, float8e5m2, float8e5m2fnuz
    case uint4, int4, float4e2m1, float8e8m0, uint2, int2, float6e2m3, float6e3m2

    /// Storage bits per element in `raw_data` (onnx.proto, TensorProto.raw_data); nil for
    /// strings, which have no fixed width.
    var bitsPerElement: Int? {
        switch self {
        case .string: nil
        case .uint2, .int2: 2
        case .uint4, .int4, .float4e2m1: 4
        case .float6e2m3, .float6e3m2: 6
        case .uint8, .int8, .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0: 8
        case .uint16, .int16, .float16, .bfloat16: 16
        case .float, .int32, .uint32: 32
        case .int64, .uint64, .double, .complex64: 64
        case .complex128: 128
        }
    }

    /// How many elements one `int32_data` entry carries (onnx.proto, TensorProto.int32_data:
    /// two per entry for 4-bit types, four for 2-bit types, otherwise one).
    var elementsPerInt32Entry: Int {
        switch self {
        case .uint2, .int2: 4
        case .uint4, .int4, .float4e2m1: 2
        default: 1
        }
    }
}
