import Testing
@testable import ONNX

/// Repeated numeric fields come packed or unpacked (protobuf encoding guide, "Packed Repeated
/// Fields"); both must read the same.
@Suite struct WireEncodingTests {
    /// A graph with one node carrying `ints` and `floats` attributes, encoded as asked.
    private func nodeModel(packed: Bool, ints: [Int64], floats: [Float]) -> [UInt8] {
        ProtobufWriter.model(graph: { graph in
            graph.message(1) { node in
                node.string(4, "Transpose")
                node.string(3, "t")
                node.message(5) { attribute in
                    attribute.string(1, "perm")
                    attribute.varint(20, 7)  // INTS
                    if packed {
                        attribute.lengthDelimited(8, ints.flatMap { ProtobufWriter.varint(UInt64(bitPattern: $0)) })
                    } else {
                        for value in ints { attribute.varint(8, value) }
                    }
                }
                node.message(5) { attribute in
                    attribute.string(1, "scales")
                    attribute.varint(20, 6)  // FLOATS
                    if packed {
                        attribute.lengthDelimited(7, floats.flatMap { value in
                            withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
                        })
                    } else {
                        for value in floats { attribute.fixed32(7, value) }
                    }
                }
            }
        })
    }

    @Test func readsPackedAndUnpackedRepeatedAttributesAlike() throws {
        let ints: [Int64] = [0, 3, -1, 2, Int64.max, Int64.min]
        let floats: [Float] = [1.5, -0.0, .infinity, .leastNonzeroMagnitude]
        for packed in [true, false] {
            let node = try #require(try ONNXModelLoader.parse(nodeModel(packed: packed, ints: ints, floats: floats)).graph.nodes.first)
            #expect(try node.ints("perm") == ints, "packed: \(packed)")
            #expect(try node.floats("scales")?.map(\.bitPattern) == floats.map(\.bitPattern), "packed: \(packed)")
        }
    }

    /// A tensor with packed dims and unpacked float_data: the opposite of what onnx writes.
    @Test func readsPackedDimsAndUnpackedFloatData() throws {
        let values: [Float] = [1, -2, 3.25, 4, 5, 6]
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.lengthDelimited(1, ProtobufWriter.varint(2) + ProtobufWriter.varint(3))
            tensor.varint(2, 1)  // FLOAT
            tensor.string(8, "w")
            for value in values { tensor.fixed32(4, value) }
        })
        let tensor = try #require(try ONNXModelLoader.parse(bytes).graph.initializers.first)
        #expect(tensor.dims == [2, 3])
        #expect(try tensor.floats() == values)
    }

    @Test func refusesPackedFloatsThatAreNotWholeFloats() {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.varint(1, 1)
            tensor.varint(2, 1)
            tensor.string(8, "w")
            tensor.lengthDelimited(4, [0, 0, 128])
        })
        #expect(throws: ONNXError.malformed("TensorProto packed field 4: 3 bytes is not a multiple of 4")) {
            try ONNXModelLoader.parse(bytes)
        }
    }

    @Test func readsDimensionOneofLastWriterWins() throws {
        let bytes = ProtobufWriter.model(graph: { graph in
            graph.message(11) { info in
                info.string(1, "x")
                info.message(2) { type in
                    type.message(1) { tensorType in
                        tensorType.varint(1, 1)
                        tensorType.message(2) { shape in
                            shape.message(1) { $0.varint(1, 4); $0.string(2, "N") }  // param written last
                            shape.message(1) { $0.string(2, "C"); $0.varint(1, 3) }  // value written last
                            shape.message(1) { _ in }  // neither
                        }
                    }
                }
            }
        })
        let input = try #require(try ONNXModelLoader.parse(bytes).graph.inputs.first)
        #expect(input.elementType == .float)
        #expect(input.shape == [.param("N"), .value(3), .unknown])
    }
}
