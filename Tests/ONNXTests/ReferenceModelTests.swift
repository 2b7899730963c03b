import Foundation
import Testing
@testable import ONNX

/// Each fixture model, read by this module, equals what the `onnx` package read from it.
@Suite struct ReferenceModelTests {
    @Test(arguments: Fixtures.referenceModels)
    func readsModelAsOnnxDoes(_ name: String) throws {
        let model = try ONNXModelLoader.load(contentsOf: Fixtures.url(name + ".onnx"))
        let reference = try Fixtures.reference(name)

        #expect(model.irVersion == reference.irVersion)
        #expect(model.opsetImports == reference.opsetImports.map { ONNXOperatorSet(domain: $0.domain, version: $0.version) })
        #expect(model.producerName == reference.producerName)
        #expect(model.producerVersion == reference.producerVersion)
        #expect(model.graph.name == reference.graphName)

        try #require(model.graph.nodes.count == reference.nodes.count)
        for (node, expected) in zip(model.graph.nodes, reference.nodes) {
            #expect(node.name == expected.name)
            #expect(node.opType == expected.opType)
            #expect(node.domain == expected.domain)
            #expect(node.inputs == expected.inputs)
            #expect(node.outputs == expected.outputs)
            try expectAttributes(of: node, equal: expected.attributes)
        }

        try #require(model.graph.initializers.count == reference.initializers.count)
        for (tensor, expected) in zip(model.graph.initializers, reference.initializers) {
            try expectTensor(tensor, equals: expected)
        }
        expectValueInfos(model.graph.inputs, equal: reference.inputs)
        expectValueInfos(model.graph.outputs, equal: reference.outputs)
        expectValueInfos(model.graph.valueInfo, equal: reference.valueInfo)
    }

    @Test func parsesFromMemoryLikeFromFile() throws {
        let fromMemory = try ONNXModelLoader.parse(Fixtures.bytes("conv_raw.onnx"))
        let fromFile = try ONNXModelLoader.load(contentsOf: Fixtures.url("conv_raw.onnx"))
        #expect(try fromMemory.graph.initializers.map { try $0.floats() } == fromFile.graph.initializers.map { try $0.floats() })
        #expect(fromMemory.graph.nodes.map(\.opType) == fromFile.graph.nodes.map(\.opType))
    }

    @Test func resolvesOpsetForEitherSpellingOfTheDefaultDomain() throws {
        let model = try ONNXModelLoader.load(contentsOf: Fixtures.url("attributes.onnx"))
        #expect(model.opsetVersion() == 17)
        #expect(model.opsetVersion(forDomain: "ai.onnx") == 17)
        #expect(model.opsetVersion(forDomain: "com.example") == 1)
        #expect(model.opsetVersion(forDomain: "ai.onnx.ml") == nil)
    }

    @Test func runtimeInputsLeaveOutWeightsListedAsInputs() throws {
        let model = try ONNXModelLoader.load(contentsOf: Fixtures.url("ir3_opset7_weights_as_inputs.onnx"))
        #expect(model.graph.inputs.map(\.name) == ["x", "w", "b"])
        #expect(model.graph.runtimeInputs.map(\.name) == ["x"])
        let modern = try ONNXModelLoader.load(contentsOf: Fixtures.url("ir10_opset18.onnx"))
        #expect(modern.graph.runtimeInputs.map(\.name) == modern.graph.inputs.map(\.name))
    }

    @Test func externalTensorsRecordWhereTheirBytesLive() throws {
        let model = try ONNXModelLoader.load(contentsOf: Fixtures.url("external/conv_external.onnx"))
        let weightFileSize = try Fixtures.bytes("external/conv_external.weights").count
        let locations = model.graph.initializers.compactMap(\.externalData)
        #expect(locations.count == 2)
        for (tensor, location) in zip(model.graph.initializers, locations) {
            #expect(location.location == "conv_external.weights")
            #expect(location.length == tensor.elementCount * 4)
            #expect(location.offset + location.length <= weightFileSize)
        }
    }

    private func expectTensor(_ tensor: ONNXTensor, equals expected: ModelSummary.Tensor) throws {
        #expect(tensor.name == expected.name)
        #expect(tensor.dataType.rawValue == expected.dataType)
        #expect(tensor.dims == expected.dims)
        #expect(tensor.elementCount == expected.values.count)
        switch tensor.dataType {
        case .float, .double, .float16, .bfloat16:
            #expect(try tensor.floats() == expected.values.map { Float($0) }, "tensor \(tensor.name)")
        default:
            #expect(try tensor.int64s() == expected.values.map { Int64($0) }, "tensor \(tensor.name)")
        }
    }

    private func expectAttributes(of node: ONNXNode, equal expected: [String: ModelSummary.Attribute]) throws {
        #expect(Set(node.attributes.keys) == Set(expected.keys))
        for (name, attribute) in expected {
            switch attribute.type {
            case 1: #expect(try node.float(name) == attribute.float)
            case 2: #expect(try node.int(name) == attribute.int)
            case 3: #expect(try node.string(name) == attribute.string)
            case 4: try expectTensor(try #require(try node.tensor(name)), equals: try #require(attribute.tensor))
            case 6: #expect(try node.floats(name) == attribute.floats)
            case 7: #expect(try node.ints(name) == attribute.ints)
            case 8: #expect(try node.strings(name) == attribute.strings)
            default:
                guard case let .unsupported(code) = node.attributes[name] else {
                    Issue.record("attribute \(name) of type \(attribute.type) should be unsupported")
                    continue
                }
                #expect(code == attribute.type)
            }
        }
    }

    private func expectValueInfos(_ infos: [ONNXValueInfo], equal expected: [ModelSummary.ValueInfo]) {
        #expect(infos.map(\.name) == expected.map(\.name))
        for (info, reference) in zip(infos, expected) {
            #expect(info.elementType?.rawValue == reference.elementType.flatMap { $0 == 0 ? nil : $0 })
            let shape = reference.shape?.map { dim -> ONNXDimension in
                if let value = dim.value { .value(value) } else if let param = dim.param { .param(param) } else { .unknown }
            }
            #expect(info.shape == shape, "value \(info.name)")
        }
    }
}
