import TestSupport
import Foundation
import ONNX
import Testing
@testable import Engine

/// A model the engine cannot run is refused with an error that names what and why.
struct ModelLoadingErrorTests {
    static let resnet = FixtureManifest.url("resnet/resnet-torchscript.onnx")

    private func graph(inputShape: [ONNXDimension], elementType: ONNXDataType = .float, op: String = "Relu") throws -> ONNXModel {
        let node = ONNXNode(name: "the_node", opType: op, inputs: ["x"], outputs: ["y"])
        let graph = ONNXGraph(name: "g", nodes: [node], initializers: [],
                              inputs: [ONNXValueInfo(name: "x", elementType: elementType, shape: inputShape)],
                              outputs: [ONNXValueInfo(name: "y", elementType: .float, shape: nil)])
        return ONNXModel(irVersion: 8, opsetImports: [ONNXOperatorSet(domain: "", version: 17)], producerName: "test", producerVersion: "", graph: graph)
    }

    @Test func truncatedFileIsUnreadable() throws {
        let bytes = try Data(contentsOf: Self.resnet)
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID()).onnx")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        defer { try? FileManager.default.removeItem(at: cut) }
        #expect {
            _ = try Model.load(contentsOf: cut)
        } throws: { error in
            guard case EngineError.unreadableModel(let inner) = error else { return false }
            if case .truncated = inner { return true }
            return false
        }
    }

    @Test func randomBytesAreUnreadable() throws {
        var generator = SplitMix64(state: 99)
        let noise = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("noise-\(UUID()).onnx")
        try noise.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try Model.load(contentsOf: file)
        } throws: { error in
            if case EngineError.unreadableModel = error { return true }
            return false
        }
    }

    @Test func unknownOperatorIsNamedWithItsNode() throws {
        let model = try graph(inputShape: [.param("N"), .value(3), .value(8), .value(8)], op: "GridSample")
        #expect(throws: EngineError.unsupportedOperator(node: "the_node", opType: "GridSample")) { try Model(onnx: model, name: "m") }
    }

    @Test func wrongInputRankIsRefused() throws {
        let model = try graph(inputShape: [.param("N"), .value(10)])
        #expect(throws: EngineError.unsupportedInput(name: "x", reason: "expected a rank-4 NCHW tensor, got rank 2")) { try Model(onnx: model, name: "m") }
    }

    @Test func nonFloatInputIsRefused() throws {
        let model = try graph(inputShape: [.param("N"), .value(3), .value(8), .value(8)], elementType: .uint8)
        #expect { try Model(onnx: model, name: "m") } throws: { error in
            if case EngineError.unsupportedInput(name: "x", let reason) = error { return reason.contains("not float") }
            return false
        }
    }

    @Test func unknownSpatialSizeIsRefused() throws {
        let model = try graph(inputShape: [.param("N"), .value(3), .param("H"), .value(8)])
        #expect { try Model(onnx: model, name: "m") } throws: { error in
            if case EngineError.unsupportedInput(name: "x", let reason) = error { return reason.contains("spatial size") }
            return false
        }
    }

    @Test func unknownAndNonFeatureMapLayersAreRefusedAsTargets() throws {
        let model = try Model.load(contentsOf: Self.resnet)
        let session = Session(model: model)
        let input = try FixtureManifest.floats("resnet/input.bin")
        func forward(retaining layer: String) throws -> [Float] {
            try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: layer) }
        }
        #expect(throws: EngineError.unknownLayer("no_such_layer")) { try forward(retaining: "no_such_layer") }
        #expect { try forward(retaining: "logits") } throws: { error in
            if case EngineError.notATargetLayer("logits", _) = error { return true }
            return false
        }
        let layer = try #require(model.defaultTargetLayer)
        _ = try forward(retaining: layer)
        #expect(throws: EngineError.classOutOfRange(10, classCount: 10)) { try session.backward(classes: [10], layer: layer) }
    }

    /// The Conv output that a residual Add joins inside the Conv's step never exists either:
    /// asking for it names the ReLU's output after the Add. ResNet's first block adds its
    /// branch's last convolution to the max pool's output; the Add runs in that convolution.
    @Test func convOutputsAddedInTheirStepAreRefusedWithTheLayerToTargetInstead() throws {
        let onnx = try ONNXModelLoader.load(contentsOf: Self.resnet)
        let producers = Dictionary(onnx.graph.nodes.flatMap { node in node.outputs.map { ($0, node) } }) { a, _ in a }
        let add = try #require(onnx.graph.nodes.first { $0.opType == "Add" })
        let relu = try #require(onnx.graph.nodes.first { $0.opType == "Relu" && $0.inputs.first == add.outputs[0] })
        let convOutput = try #require(add.inputs.first { producers[$0]?.opType == "Conv" })
        let otherOperand = try #require(add.inputs.first { $0 != convOutput })
        let model = try Model(onnx: onnx, name: "resnet")
        #expect(model.layers.first { $0.name == relu.outputs[0] }?.opType == "Conv+Add+Relu")
        #expect(!model.targetLayers.contains { $0.name == convOutput })
        #expect(model.targetLayers.contains { $0.name == otherOperand })
        let session = Session(model: model)
        let input = try FixtureManifest.floats("resnet/input.bin")
        #expect { _ = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: convOutput) } } throws: { error in
            guard case EngineError.notATargetLayer(convOutput, let reason) = error else { return false }
            return reason.contains("residual Add") && reason.contains("'\(relu.outputs[0])'")
        }
    }

    /// Conv -> BatchNorm -> Relu runs as one step (FusedClamp), so the BatchNorm output never
    /// exists: asking for it names the activation output to target instead.
    /// The ReLU after a Conv (+BatchNorm) runs in the Conv; a residual Add and the ReLU after it
    /// run in the Conv that produces one of the Add's operands.
    @Test(arguments: [(["Conv", "BatchNormalization"], "Conv+Relu"), (["Add"], "Conv+Add+Relu")])
    func preActivationValuesFusedIntoTheirProducerAreRefusedWithTheLayerToTargetInstead(producedBy: [String], fusedOpType: String) throws {
        let onnx = try ONNXModelLoader.load(contentsOf: Self.resnet)
        let producers = Dictionary(onnx.graph.nodes.flatMap { node in node.outputs.map { ($0, node) } }) { a, _ in a }
        let relu = try #require(onnx.graph.nodes.first { node in
            node.opType == "Relu" && producedBy.contains(producers[node.inputs[0]]?.opType ?? "")
        })
        let model = try Model(onnx: onnx, name: "resnet")
        #expect(model.targetLayers.contains { $0.name == relu.outputs[0] })
        #expect(!model.targetLayers.contains { $0.name == relu.inputs[0] })
        #expect(model.layers.first { $0.name == relu.outputs[0] }?.opType == fusedOpType)
        let session = Session(model: model)
        let input = try FixtureManifest.floats("resnet/input.bin")
        #expect { _ = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: relu.inputs[0]) } } throws: { error in
            guard case EngineError.notATargetLayer(relu.inputs[0], let reason) = error else { return false }
            return reason.contains("'\(relu.outputs[0])'")
        }
    }

    @Test func backwardRefusesALayerTheForwardPassDidNotRetain() throws {
        let model = try Model.load(contentsOf: Self.resnet)
        let session = Session(model: model)
        let input = try FixtureManifest.floats("resnet/input.bin")
        let last = try #require(model.defaultTargetLayer)
        let other = try #require(model.targetLayers.first { $0.name != last })

        _ = try input.withUnsafeBufferPointer { try session.forward($0) }
        #expect(throws: EngineError.layerNotRetained(last)) { try session.backward(classes: [0], layer: last) }
        _ = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: other.name) }
        #expect(throws: EngineError.layerNotRetained(last)) { try session.backward(classes: [0], layer: last) }
        #expect(try session.backward(classes: [0], layer: other.name).shape == other.shape)
    }

    @Test func wrongInputSizeIsRefused() throws {
        let session = Session(model: try Model.load(contentsOf: Self.resnet))
        let tooShort = [Float](repeating: 0, count: 10)
        #expect(throws: EngineError.inputSizeMismatch(expected: 3 * 48 * 48, actual: 10)) {
            try tooShort.withUnsafeBufferPointer { try session.forward($0) }
        }
    }

    @Test func defaultTargetIsTheLayerBeforeGlobalPooling() throws {
        let model = try Model.load(contentsOf: Self.resnet)
        let target = try #require(FixtureManifest.shared.models.first { $0.name == "resnet" }?.targets.first { $0.role == "last" })
        #expect(model.defaultTargetLayer == target.layerNameByExporter["torchscript"])
    }
}
