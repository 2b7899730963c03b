import Testing
@testable import ONNX

/// Typed attribute accessors: the value when the type matches, nil when absent, an error
/// naming node, attribute and both types otherwise.
@Suite struct NodeAttributeTests {
    private func everyKindNode() throws -> ONNXNode {
        let model = try ONNXModelLoader.load(contentsOf: Fixtures.url("attributes.onnx"))
        return try #require(model.graph.nodes.first)
    }

    @Test func absentAttributeIsNil() throws {
        let node = try everyKindNode()
        #expect(try node.int("group") == nil)
        #expect(try node.floats("nothing") == nil)
    }

    @Test func attributeOfAnotherTypeIsABadAttribute() throws {
        let node = try everyKindNode()
        #expect(throws: ONNXError.badAttribute(node: "every_kind", name: "alpha", reason: "expected int, found float")) {
            try node.int("alpha")
        }
        #expect(throws: ONNXError.badAttribute(node: "every_kind", name: "perm", reason: "expected floats, found ints")) {
            try node.floats("perm")
        }
        #expect(throws: ONNXError.badAttribute(node: "every_kind", name: "body", reason: "expected tensor, found unsupported type 5")) {
            try node.tensor("body")
        }
    }

    @Test func omittedOptionalInputIsAnEmptyName() throws {
        #expect(try everyKindNode().inputs == ["x", "", "x"])
    }

    @Test func refusesAttributeNamedTwice() {
        let bytes = ProtobufWriter.model(graph: { graph in
            graph.message(1) { node in
                node.string(3, "n")
                node.string(4, "Relu")
                for _ in 0 ..< 2 { node.message(5) { $0.string(1, "axis"); $0.varint(20, 2); $0.varint(3, 1) } }
            }
        })
        #expect(throws: ONNXError.malformed("node 'n': attribute 'axis' appears twice")) {
            try ONNXModelLoader.parse(bytes)
        }
    }

    /// IR version 1 attributes have no `type` field; the value field that is set decides.
    @Test func infersAttributeTypeWhenTheTypeFieldIsMissing() throws {
        let bytes = ProtobufWriter.model(graph: { graph in
            graph.message(1) { node in
                node.string(4, "Gemm")
                node.message(5) { $0.string(1, "alpha"); $0.fixed32(2, 0.5) }
                node.message(5) { $0.string(1, "transB"); $0.varint(3, 1) }
            }
        })
        let node = try #require(try ONNXModelLoader.parse(bytes).graph.nodes.first)
        #expect(try node.float("alpha") == 0.5)
        #expect(try node.int("transB") == 1)
    }
}
