import CAM
import Engine
import Foundation
import ImageCodecs
import Preprocess

/// What a client asks of one image.
public struct ExplainOptions: Sendable, Equatable {
    /// The class to explain; nil means the top-1.
    public var classIndex: Int? = nil
    /// The ONNX value name of the target layer; nil means the model's default.
    public var layer: String? = nil
    public var top: Int = 5
    /// "gradcam" or "cam".
    public var method: String = "gradcam"
    /// False for /predict: scores only, no backward pass.
    public var explains: Bool = true
    public var includeRaw: Bool = false
    public var includeLogits: Bool = false

    public init() {}
}

/// The whole pipeline, top-down, for one image on one worker:
/// bytes -> decoded image -> input tensor -> forward -> scores -> backward -> CAM.
public struct Explainer: Sendable {
    public let bundle: ModelBundle
    public let decodeLimits: DecodeLimits

    /// When set, JPEGs are decoded in draft mode at this size (ServiceConfig.jpegDraft).
    public let jpegDraft: JPEGDraft?

    public init(bundle: ModelBundle, decodeLimits: DecodeLimits = .init(), jpegDraft: JPEGDraft? = nil) {
        self.bundle = bundle
        self.decodeLimits = decodeLimits
        self.jpegDraft = jpegDraft
    }

    public func explain(imageBytes: [UInt8], options: ExplainOptions, session: Session) throws -> ExplainResult {
        var clock = StageClock()
        let image: RGBImage
        do { image = try ImageDecoder.decode(imageBytes, limits: decodeLimits, draft: jpegDraft) } catch { throw ServiceError(error) }
        let input = Preprocessor.tensor(from: image, spec: bundle.manifest.preprocessing)
        clock.lap(\.decode)
        var result = try explain(tensor: input, options: options, session: session, clock: clock)
        result.sourceImage = image
        return result
    }

    /// The same pipeline from an already preprocessed (C, H, W) tensor.
    public func explain(tensor input: [Float], options: ExplainOptions, session: Session, clock: StageClock = StageClock()) throws -> ExplainResult {
        var clock = clock
        try validate(options)
        let model = bundle.model
        // The forward pass keeps only what backward to this layer reads, so name it first.
        var layer: String? = nil
        if options.explains {
            guard let explained = options.layer ?? bundle.defaultLayer else {
                throw ServiceError.badParameter(name: "layer", reason: "the model has no 4-D layer to explain")
            }
            layer = explained
        }
        let logits: [Float]
        do { logits = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: layer) } }
        catch { throw ServiceError(error) }
        clock.lap(\.forward)
        let scores = ClassScore.ranked(logits: logits, labels: bundle.labels, top: options.top)
        let targetClass = options.classIndex ?? scores.first?.index ?? 0
        var result = ExplainResult(model: bundle.manifest.name, targetClass: targetClass, top: scores,
                                   logits: options.includeLogits ? logits : nil)
        guard let layer else {
            result.timings = clock.timings
            return result
        }
        let gradients: LayerGradients
        let method: any CAMMethod
        do {
            if options.method == "cam" {
                guard let classifier = try model.linearClassifier(after: layer) else {
                    throw ServiceError.badParameter(name: "method", reason: "CAM needs the layer to feed global average pooling and one linear layer")
                }
                method = ClassActivationMapping(classifierWeights: classifier.weights, classCount: classifier.classCount)
            } else {
                method = GradCAM()
            }
            gradients = try session.backward(classes: [targetClass], layer: layer)
        } catch { throw ServiceError(error) }
        clock.lap(\.backward)
        let maps = FeatureMaps(channels: gradients.channels, height: gradients.height, width: gradients.width,
                               activations: gradients.activations[...], gradients: gradients.gradients[...])
        let explanation: Explanation
        do {
            explanation = try CAMComposer.explain(maps, classIndex: targetClass, method: method,
                                                  width: model.inputShape[2], height: model.inputShape[1])
        } catch { throw ServiceError(error) }
        clock.lap(\.cam)
        result.targetLayer = layer
        result.method = explanation.method
        result.heatmap = explanation.display
        result.rawHeatmap = explanation.raw
        result.channelWeights = explanation.channelWeights
        result.timings = clock.timings
        return result
    }

    private func validate(_ options: ExplainOptions) throws {
        if let c = options.classIndex, c < 0 || c >= bundle.model.classCount {
            throw ServiceError.badParameter(name: "class", reason: "must be between 0 and \(bundle.model.classCount - 1)")
        }
        guard options.top >= 1 && options.top <= bundle.model.classCount else {
            throw ServiceError.badParameter(name: "top", reason: "must be between 1 and \(bundle.model.classCount)")
        }
        guard ["gradcam", "cam"].contains(options.method) else {
            throw ServiceError.badParameter(name: "method", reason: "must be gradcam or cam")
        }
    }
}

/// Milliseconds spent in each stage of one request.
public struct Timings: Sendable, Codable, Equatable {
    public var queue = 0.0, decode = 0.0, forward = 0.0, backward = 0.0, cam = 0.0, encode = 0.0

    /// Each stage's name and milliseconds, rounded to the microsecond, in pipeline order: what
    /// the JSON `timings` object and the PNG answer's Server-Timing header both report.
    var stages: [(name: String, milliseconds: Double)] {
        [("queue", queue), ("decode", decode), ("forward", forward), ("backward", backward), ("cam", cam), ("encode", encode)]
            .map { ($0.0, ($0.1 * 1000).rounded() / 1000) }
    }
}

/// Measures consecutive stages: each `lap` charges the time since the previous one.
public struct StageClock: Sendable {
    private var last = DispatchTime.now().uptimeNanoseconds
    public private(set) var timings = Timings()

    public init() {}

    public mutating func lap(_ stage: WritableKeyPath<Timings, Double>) {
        let now = DispatchTime.now().uptimeNanoseconds
        timings[keyPath: stage] += Double(now - last) / 1e6
        last = now
    }
}
