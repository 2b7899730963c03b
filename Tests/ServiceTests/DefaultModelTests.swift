import CAM
import Engine
import Foundation
import ImageCodecs
import Testing
@testable import Service
import TestSupport

/// The bundled EfficientNet-Lite0 against PyTorch and pytorch-grad-cam, from the JPEG and PNG
/// bytes, through the same decode and preprocess path the server uses
/// (references: Scripts/make-photo-fixtures.py).
struct DefaultModelTests {
    struct Reference: Decodable {
        struct Score: Decodable { let index: Int; let probability: Float; let logit: Float }
        struct GradCAMReference: Decodable { let classIndex: Int; let rawMap: [[Float]]; let alpha: String; let cam224: String? }
        let file: String
        let top5: [Score]
        let gradCAM: GradCAMReference
    }

    struct References: Decodable { let targetLayer: String; let files: [Reference] }

    static let references: References = {
        let data = try! Data(contentsOf: Fixtures.url("photos/references.json"))
        return try! JSONDecoder().decode(References.self, from: data)
    }()

    static let files = references.files.map(\.file)

    private func run(_ file: String, method: String = "gradcam") throws -> (ExplainResult, Reference) {
        let bundle = try Fixtures.defaultBundle.get()
        let reference = try #require(Self.references.files.first { $0.file == file })
        var options = ExplainOptions()
        options.method = method
        options.classIndex = reference.gradCAM.classIndex
        let result = try Explainer(bundle: bundle).explain(imageBytes: try Fixtures.bytes("photos/" + file), options: options, session: Session(model: bundle.model))
        return (result, reference)
    }

    /// In draft mode the network sees the photo decoded at half size (450 x 300 -> 225 x 150 for
    /// a draft of 150 x 150) and still finds the espresso.
    @Test func aDraftDecodeFeedsTheReducedPhotoToTheSamePipeline() throws {
        let bundle = try Fixtures.defaultBundle.get()
        let explainer = Explainer(bundle: bundle, jpegDraft: JPEGDraft(width: 150, height: 150))
        let result = try explainer.explain(imageBytes: try Fixtures.bytes("photos/coffee.jpg"), options: ExplainOptions(),
                                           session: Session(model: bundle.model))
        #expect(result.sourceImage?.width == 225 && result.sourceImage?.height == 150)
        #expect(result.top.first?.index == 967)
        let whole = try Explainer(bundle: bundle).explain(imageBytes: try Fixtures.bytes("photos/coffee.jpg"), options: ExplainOptions(),
                                                          session: Session(model: bundle.model))
        #expect(whole.sourceImage?.width == 450)
    }

    /// `jpegDraft` drafts at twice the bundled model's Resize(256), and only when set.
    @Test func theServiceDraftsOnlyWhenConfiguredTo() throws {
        let spec = try Fixtures.defaultBundle.get().manifest.preprocessing
        var config = ServiceConfig()
        #expect(config.decodeDraft(for: spec) == nil)
        config.jpegDraft = true
        #expect(config.decodeDraft(for: spec) == JPEGDraft(width: 512, height: 512))
    }

    @Test(arguments: files)
    func topFiveMatchPyTorch(_ file: String) throws {
        let (result, reference) = try run(file)
        #expect(result.top.first?.index == reference.top5.first?.index)
        for expected in reference.top5 {
            let ours = try #require(result.top.first { $0.index == expected.index }, "class \(expected.index) is not in our top 5")
            #expect(abs(ours.probability - expected.probability) <= 1e-3)
        }
    }

    @Test(arguments: files)
    func gradCAMMatchesPytorchGradCAM(_ file: String) throws {
        let (result, reference) = try run(file)
        #expect(result.targetLayer == Self.references.targetLayer)
        let raw = try #require(result.rawHeatmap)
        let expected = reference.gradCAM.rawMap.flatMap { $0 }
        let peak = expected.max() ?? 1
        #expect(pearson(raw.values, expected) >= 0.999)
        #expect(maxAbsoluteDifference(raw.values, expected) <= 1e-3 * peak)
        let alpha = try Fixtures.floats("photos/" + reference.gradCAM.alpha)
        let weights = try #require(result.channelWeights)
        #expect(maxAbsoluteDifference(weights, alpha) <= 1e-3 * (alpha.map(abs).max() ?? 1))
        if let cam224 = reference.gradCAM.cam224 {
            let display = try #require(result.heatmap)
            let upsampled = try Fixtures.floats("photos/" + cam224)
            #expect(display.width == 224 && display.height == 224)
            #expect(pearson(display.values, upsampled) >= 0.999)
        }
    }

    /// Grad-CAM paper, Section 3.1: with GAP and one linear layer, w_k^c = Z * alpha_k^c, so CAM's
    /// map is Z times Grad-CAM's.
    @Test func camWeightsAreZTimesGradCAMWeightsOnTheDefaultModel() throws {
        let (gradcam, _) = try run("chelsea.png")
        let (cam, _) = try run("chelsea.png", method: "cam")
        let alpha = try #require(gradcam.channelWeights), w = try #require(cam.channelWeights)
        let rawGrad = try #require(gradcam.rawHeatmap), rawCAM = try #require(cam.rawHeatmap)
        let z = Float(rawGrad.width * rawGrad.height)
        #expect(z == 49)
        let scale = w.map(abs).max() ?? 1
        #expect(maxAbsoluteDifference(alpha.map { $0 * z }, w) <= 1e-5 * scale)
        let camPeak = rawCAM.values.max() ?? 1
        #expect(maxAbsoluteDifference(rawGrad.values.map { $0 * z }, rawCAM.values) <= 1e-5 * camPeak)
        #expect(gradcam.heatmap.map { maxAbsoluteDifference($0.values, cam.heatmap!.values) } ?? 1 <= 1e-5)
    }
}
