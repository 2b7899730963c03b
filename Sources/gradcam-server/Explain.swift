import ArgumentParser
import Engine
import Foundation
import Service

/// `gradcam-server explain --image FILE`: the service's pipeline from the command line,
/// printing the same JSON that POST /explain returns.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Classify one image and print its scores and Grad-CAM heatmap as JSON.")

    @Option(help: "An .onnx file or a model directory (default: the bundled EfficientNet-Lite0).")
    var model: String?
    @Option(help: "A PNG or JPEG file.")
    var image: String?
    @Option(help: "A preprocessed input instead of an image: float32 little-endian (1, C, H, W).")
    var tensor: String?
    @Option(help: "The target layer's ONNX value name (default: the model's).")
    var layer: String?
    @Option(name: .customLong("class"), help: "The class to explain (default: top-1).")
    var classIndex: Int?
    @Option(help: "How many top classes to list.")
    var top: Int = 5
    @Option(help: "gradcam or cam.")
    var method: String = "gradcam"
    @Flag(help: "Also print the map at the layer's resolution, unnormalised (rawHeatmap).")
    var raw = false
    @Flag(help: "Also print every logit.")
    var logits = false
    @Flag(help: "Decode a JPEG in Pillow's draft mode, as the server's jpegDraft setting does.")
    var jpegDraft = false

    func validate() throws {
        guard (image == nil) != (tensor == nil) else { throw ValidationError("give exactly one of --image and --tensor") }
    }

    func run() throws {
        let bundle = try ModelBundle.load(path: model ?? ModelBundle.defaultModelPath())
        var config = ServiceConfig()
        config.jpegDraft = jpegDraft
        let explainer = Explainer(bundle: bundle, jpegDraft: config.decodeDraft(for: bundle.manifest.preprocessing))
        var options = ExplainOptions()
        options.classIndex = classIndex
        options.layer = layer
        options.top = top
        options.method = method
        options.includeRaw = raw
        options.includeLogits = logits
        let session = Session(model: bundle.model)
        let result: ExplainResult
        do {
            if let image {
                result = try explainer.explain(imageBytes: Array(try Data(contentsOf: URL(fileURLWithPath: image))), options: options, session: session)
            } else {
                let data = try Data(contentsOf: URL(fileURLWithPath: tensor!))
                let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                result = try explainer.explain(tensor: floats, options: options, session: session)
            }
        } catch let error as ServiceError {
            throw ValidationError(error.description)
        }
        FileHandle.standardOutput.write(Data(result.json(includeRaw: raw)))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
