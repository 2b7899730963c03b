import Foundation
@testable import ONNX

/// Test fixtures, written by Scripts/make-onnx-fixtures.py with the `onnx` Python package.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }

    /// onnx's own reading of `<name>.onnx`, saved by the script as `<name>.json`.
    static func reference(_ name: String) throws -> ModelSummary {
        try JSONDecoder().decode(ModelSummary.self, from: Data(contentsOf: url(name + ".json")))
    }

    /// The models that have a reference summary.
    static let referenceModels = [
        "conv_raw", "conv_float_data", "ir3_opset7_weights_as_inputs", "ir10_opset18", "ir11_opset23",
        "attributes", "external/conv_external", "light_squeezenet", "light_vgg19",
    ]
}

/// The JSON written by the script's `summary()`.
struct ModelSummary: Decodable {
    struct OperatorSet: Decodable { let domain: String; let version: Int64 }
    struct Node: Decodable {
        let name, opType, domain: String
        let inputs, outputs: [String]
        let attributes: [String: Attribute]
    }
    struct Attribute: Decodable {
        let type: Int
        let int: Int64?, float: Float?, string: String?, ints: [Int64]?, floats: [Float]?, strings: [String]?
        let tensor: Tensor?

        enum CodingKeys: String, CodingKey { case type, value, tensor }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decode(Int.self, forKey: .type)
            tensor = try container.decodeIfPresent(Tensor.self, forKey: .tensor)
            // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7, STRINGS 8.
            float = type == 1 ? Float(try container.decode(Double.self, forKey: .value)) : nil
            int = type == 2 ? try container.decode(Int64.self, forKey: .value) : nil
            string = type == 3 ? try container.decode(String.self, forKey: .value) : nil
            floats = type == 6 ? try container.decode([Double].self, forKey: .value).map { Float($0) } : nil
            ints = type == 7 ? try container.decode([Int64].self, forKey: .value) : nil
            strings = type == 8 ? try container.decode([String].self, forKey: .value) : nil
        }
    }
    struct Tensor: Decodable { let name: String; let dataType: Int; let dims: [Int]; let values: [Double] }
    struct Dimension: Decodable { let value: Int?; let param: String? }
    struct ValueInfo: Decodable { let name: String; let elementType: Int?; let shape: [Dimension]? }

    let irVersion: Int64
    let opsetImports: [OperatorSet]
    let producerName, producerVersion, graphName: String
    let nodes: [Node]
    let initializers: [Tensor]
    let inputs, outputs, valueInfo: [ValueInfo]
}

/// Hand-encodes protobuf bytes (protobuf encoding guide), for inputs `onnx` never writes:
/// packed ints, unpacked floats, wrong wire types, bad sizes.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, out = [UInt8]()
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return out + [UInt8(value)]
    }

    mutating func tag(_ field: Int, wireType: Int) { bytes += Self.varint(UInt64(field << 3 | wireType)) }

    mutating func varint(_ field: Int, _ value: Int64) {
        tag(field, wireType: 0)
        bytes += Self.varint(UInt64(bitPattern: value))
    }

    mutating func fixed32(_ field: Int, _ value: Float) {
        tag(field, wireType: 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        tag(field, wireType: 2)
        bytes += Self.varint(UInt64(payload.count)) + payload
    }

    mutating func string(_ field: Int, _ text: String) { lengthDelimited(field, Array(text.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        lengthDelimited(field, inner.bytes)
    }

    /// A ModelProto (ir_version 1, graph 7, opset_import 8) around the graph `build` writes.
    static func model(irVersion: Int64 = 8, opset: Int64 = 13, graph build: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var model = ProtobufWriter()
        model.varint(1, irVersion)
        model.message(7, build)
        model.message(8) { $0.string(1, ""); $0.varint(2, opset) }
        return model.bytes
    }

    /// A ModelProto whose graph holds the one initializer `build` writes (GraphProto.initializer = 5).
    static func model(initializer build: (inout ProtobufWriter) -> Void) -> [UInt8] {
        model(graph: { $0.message(5, build) })
    }
}
