import CAM
import Foundation
import Testing
@testable import Engine
import TestSupport

/// Whole models exported by both PyTorch exporters, against onnxruntime (forward) and
/// pytorch-grad-cam (Grad-CAM), from Scripts/make-fixtures.py.
struct FixtureModelTests {
    static let models = LoadedModels()

    final class LoadedModels: @unchecked Sendable {
        private let lock = NSLock()
        private var cache: [Export: Model] = [:]
        func model(_ export: Export) throws -> Model {
            lock.lock(); defer { lock.unlock() }
            if let m = cache[export] { return m }
            let m = try Model.load(contentsOf: FixtureManifest.url(export.fixture.files[export.exporter]!))
            cache[export] = m
            return m
        }
    }

    private func forward(_ export: Export, batch: Int, retaining layer: String? = nil, threads: Int = 1) throws -> (logits: [Float], expected: [Float], session: Session) {
        let fixture = export.fixture
        let session = Session(model: try Self.models.model(export), parallelism: Parallelism(threads: threads))
        let input = try FixtureManifest.floats(batch == 1 ? fixture.input : fixture.input2)
        let logits = try input.withUnsafeBufferPointer { try session.forward($0, batch: batch, retainingGradientPathTo: layer) }
        return (logits, try FixtureManifest.floats(batch == 1 ? fixture.logits : fixture.logits2), session)
    }

    /// Serially, and with each convolution split over two threads.
    @Test(arguments: FixtureManifest.exports, [1, 2])
    func forwardMatchesOnnxruntime(_ export: Export, threads: Int) throws {
        let (logits, expected, _) = try forward(export, batch: 1, threads: threads)
        #expect(logits.count == expected.count)
        for (a, b) in zip(logits, expected) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b))) }
    }

    /// A session that shares two cores runs its operators split in a job that runs alone, and
    /// on one thread in a job that started beside another, even after that one has ended; both
    /// ways its logits match onnxruntime's, and its Grad-CAM gradients match each other.
    @Test(arguments: FixtureManifest.exports)
    func aSessionSharingCoresMatchesOnnxruntimeAloneAndBesideAnotherJob(_ export: Export) throws {
        let fixture = export.fixture
        let cores = SharedCores(cores: 2)
        let session = Session(model: try Self.models.model(export), parallelism: Parallelism(threads: 2), sharing: cores)
        let input = try FixtureManifest.floats(fixture.input), expected = try FixtureManifest.floats(fixture.logits)
        let layer = try #require(fixture.targets.first?.layerNameByExporter[export.exporter])
        /// A job's forward and backward, `between` them; both with `threads` threads per operator.
        func job(threads: Int, between: () -> Void = {}) throws -> (logits: [Float], gradients: [Float]) {
            try session.runningJob { () throws -> ([Float], [Float]) in
                #expect(session.parallelism.forNextOperator().threads == threads)
                let logits = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: layer) }
                between()
                #expect(session.parallelism.forNextOperator().threads == threads)
                return (logits, try session.backward(classes: [0], layer: layer).gradients)
            }
        }
        let alone = try job(threads: 2)
        // Another worker's job holds a core until this job's forward pass is done.
        let otherStarted = DispatchSemaphore(value: 0), otherMayEnd = DispatchSemaphore(value: 0), otherEnded = DispatchSemaphore(value: 0)
        Thread { cores.counting { _ in otherStarted.signal(); otherMayEnd.wait() }; otherEnded.signal() }.start()
        otherStarted.wait()
        let beside = try job(threads: 1) { otherMayEnd.signal(); otherEnded.wait() }
        #expect(cores.runningJobs == 0)
        for run in [alone, beside] {
            #expect(run.logits.count == expected.count)
            for (a, b) in zip(run.logits, expected) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b))) }
        }
        let scale = alone.gradients.map(abs).max() ?? 0
        #expect(scale > 0 && alone.gradients.count == beside.gradients.count)
        for (a, b) in zip(alone.gradients, beside.gradients) { #expect(abs(a - b) <= 1e-4 * scale) }
    }

    @Test(arguments: FixtureManifest.exports, [1, 2])
    func dynamicBatchOfTwoMatchesOnnxruntime(_ export: Export, threads: Int) throws {
        let (logits, expected, _) = try forward(export, batch: 2, threads: threads)
        #expect(logits.count == expected.count && logits.count == 2 * export.fixture.numClasses)
        for (a, b) in zip(logits, expected) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b))) }
    }

    @Test(arguments: FixtureManifest.exports, [1, 2])
    func gradCAMMatchesPytorchGradCAM(_ export: Export, threads: Int) throws {
        for target in export.fixture.targets {
            let layer = try #require(target.layerNameByExporter[export.exporter])
            let (_, _, session) = try forward(export, batch: 1, retaining: layer, threads: threads)
            let g = try session.backward(classes: [target.classIndex], layer: layer)
            #expect(g.shape == [1] + target.layerShape, "layer \(layer)")
            let maps = FeatureMaps(channels: g.channels, height: g.height, width: g.width, activations: g.activations[...], gradients: g.gradients[...])
            let explanation = try CAMComposer.explain(maps, classIndex: target.classIndex, method: GradCAM(),
                                                      width: target.upShape[1], height: target.upShape[0])
            let raw = try FixtureManifest.floats(target.files["raw"]!)
            let alpha = try FixtureManifest.floats(target.files["alpha"]!)
            let up = try FixtureManifest.floats(target.files["up"]!)
            #expect(raw.count == explanation.raw.values.count && alpha.count == g.channels && up.count == explanation.display.values.count)
            let peak = raw.max() ?? 1
            #expect(maxAbsoluteDifference(explanation.raw.values, raw) <= 1e-4 * peak, "\(target.tag) raw map")
            #expect(maxAbsoluteDifference(explanation.channelWeights, alpha) <= 1e-4 * (alpha.map(abs).max() ?? 1), "\(target.tag) alpha")
            #expect(pearson(explanation.display.values, up) >= 0.9999, "\(target.tag) upsampled map")
        }
    }

    /// Grad-CAM paper, Section 3.1: at the layer that feeds GAP + one linear layer, CAM's
    /// w_k^c = Z * alpha_k^c, and the maps agree up to Z.
    @Test(arguments: FixtureManifest.exports.filter { $0.fixture.gapLinear })
    func camWeightsAreZTimesGradCAMWeights(_ export: Export) throws {
        let model = try Self.models.model(export)
        let target = try #require(export.fixture.targets.first { $0.role == "last" })
        let layer = try #require(target.layerNameByExporter[export.exporter])
        let (_, _, session) = try forward(export, batch: 1, retaining: layer)
        let classifier = try #require(try model.linearClassifier(after: layer), "no GAP + linear head found after \(layer)")
        let reference = try FixtureManifest.floats(try #require(export.fixture.camWeights))
        #expect(maxAbsoluteDifference(classifier.weights, reference) <= 1e-6 * (reference.map(abs).max() ?? 1))

        let g = try session.backward(classes: [target.classIndex], layer: layer)
        let maps = FeatureMaps(channels: g.channels, height: g.height, width: g.width, activations: g.activations[...], gradients: g.gradients[...])
        let alpha = try GradCAM().channelWeights(for: maps, classIndex: target.classIndex)
        let w = try ClassActivationMapping(classifierWeights: classifier.weights, classCount: classifier.classCount)
            .channelWeights(for: maps, classIndex: target.classIndex)
        let z = Float(maps.positions)
        #expect(maxAbsoluteDifference(alpha.map { $0 * z }, w) <= 1e-5 * (w.map(abs).max() ?? 1))
        let gradMap = CAMComposer.rawMap(maps, weights: alpha), camMap = CAMComposer.rawMap(maps, weights: w)
        #expect(maxAbsoluteDifference(gradMap.values.map { $0 * z }, camMap.values) <= 1e-5 * max(camMap.values.max() ?? 1, 1e-6))
    }

    @Test func softmaxHeadIsExplainedThroughItsLogits() throws {
        let export = Export(model: "softmaxhead", exporter: "torchscript")
        let model = try Self.models.model(export)
        #expect(model.classCount == export.fixture.numClasses)
        #expect(model.layers.last?.opType == "Softmax")
    }
}
