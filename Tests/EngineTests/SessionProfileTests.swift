import Foundation
import Testing
@testable import Engine

/// `bench --profile`'s numbers: every step of a pass is timed under its operator and kernel.
struct SessionProfileTests {
    static let resnet = FixtureManifest.url("resnet/resnet-torchscript.onnx")

    @Test func forwardAndBackwardProfilesNameTheOperatorsTheyRan() throws {
        let model = try Model.load(contentsOf: Self.resnet)
        let session = Session(model: model)
        let layer = try #require(model.defaultTargetLayer)
        let input = [Float](repeating: 0.5, count: model.inputShape.reduce(1, *))
        // Backward needs a forward pass that retained the layer.
        #expect(throws: EngineError.layerNotRetained(layer)) { try session.profileBackward(class: 0, layer: layer) }

        let forward = try session.profileForward()
        #expect(forward.keys.contains { $0.hasPrefix("Conv") } && forward.keys.contains { $0.hasPrefix("Gemm") })
        #expect(forward.values.allSatisfy { $0 >= 0 })
        // Every step of the plan is timed under its key, and a pass that ran took some time.
        #expect(Set(forward.keys) == Set(try model.plan(batch: 1).steps.map { PlanBinding.profileKey($0) }))
        #expect(forward.values.reduce(0, +) > 0)
        // By shape, each convolution's key names its channels, kernel / stride and output plane.
        let byShape = try session.profileForward(byShape: true)
        #expect(Set(byShape.keys) == Set(try model.plan(batch: 1).steps.map { PlanBinding.profileKey($0, byShape: true) }))
        #expect(byShape.keys.contains { $0.hasPrefix("Conv") && $0.contains("->") && $0.contains("/") })
        #expect(byShape.keys.count > forward.keys.count)

        _ = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: layer) }
        #expect(throws: EngineError.classOutOfRange(model.classCount, classCount: model.classCount)) {
            try session.profileBackward(class: model.classCount, layer: layer)
        }
        let backward = try session.profileBackward(class: 0, layer: layer)
        // From the logits back to the last feature map: the classifier and the pooling, no Conv.
        #expect(backward.keys.contains { $0.hasPrefix("Gemm") } && backward.keys.contains { $0.hasPrefix("GlobalAveragePool") })
        #expect(!backward.keys.contains { $0.hasPrefix("Conv") })
        #expect(backward.values.allSatisfy { $0 >= 0 })
        #expect(backward.values.reduce(0, +) > 0)
    }
}
