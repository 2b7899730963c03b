import Engine
import Foundation
import Preprocess

/// A model directory: the ONNX file, its manifest (preprocessing, labels, default layer)
/// and its labels, loaded once at start-up and shared by every worker.
public struct ModelBundle: Sendable {
    public let model: Model
    public let manifest: Manifest
    public let labels: [String]
    public let directory: URL

    /// What sits next to the model: `manifest.json`.
    public struct Manifest: Codable, Sendable {
        public var name: String
        public var description: String?
        public var model: String
        public var labels: String?
        public var preprocessing: PreprocessSpec
        public var defaultTargetLayer: String?
    }

    /// Loads `path`, which is a model directory holding manifest.json, or an .onnx file
    /// (then a manifest.json beside it is used if present; otherwise the input size is
    /// taken from the model and ImageNet preprocessing is assumed).
    public static func load(path: String) throws -> ModelBundle {
        var url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ServiceError.modelNotFound(path)
        }
        let directory = isDirectory.boolValue ? url : url.deletingLastPathComponent()
        let manifestURL = directory.appendingPathComponent("manifest.json")
        var manifest: Manifest? = nil
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL)) }
            catch { throw ServiceError.badManifest(manifestURL.path, "\(error)") }
        }
        if isDirectory.boolValue {
            guard let manifest else { throw ServiceError.badManifest(manifestURL.path, "a model directory needs manifest.json") }
            url = directory.appendingPathComponent(manifest.model)
        } else if let m = manifest, m.model != url.lastPathComponent {
            manifest = nil  // the manifest describes another file in the same folder
        }
        let model = try Model.load(contentsOf: url, name: manifest?.name)
        let resolved = manifest ?? Manifest(name: model.name, description: nil, model: url.lastPathComponent, labels: nil,
                                            preprocessing: .imagenet(width: model.inputShape[2], height: model.inputShape[1]),
                                            defaultTargetLayer: nil)
        var labels = (0..<model.classCount).map { "class \($0)" }
        if let file = resolved.labels {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for i in 0..<min(lines.count, labels.count) where !lines[i].isEmpty { labels[i] = lines[i] }
        }
        return ModelBundle(model: model, manifest: resolved, labels: labels, directory: directory)
    }

    /// The layer explained when a request names none: the manifest's, else the engine's choice.
    public var defaultLayer: String? { manifest.defaultTargetLayer ?? model.defaultTargetLayer }

    /// Where the bundled default model lives: $GRADCAM_MODEL, ./Models/efficientnet-lite0,
    /// then the same folder relative to the executable (SwiftPM's .build/<config>/ or an
    /// install prefix's bin/ and share/gradcam-server/).
    public static func defaultModelPath() -> String {
        let relative = "Models/efficientnet-lite0"
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        // argv[0] is a bare name when started through PATH; the kernel knows the real file.
        let executablePath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.executablePath ?? "."
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        var folder = executable
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent(relative).path)
            candidates.append(folder.appendingPathComponent("share/gradcam-server/" + relative).path)
            folder = folder.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/manifest.json") } ?? relative
    }
}

extension PreprocessSpec {
    /// torchvision's ImageNet evaluation transform scaled to the model's input: shorter side to
    /// size * 256/224, centre crop, bilinear, ImageNet mean and std. Used when a model has no manifest.
    static func imagenet(width: Int, height: Int) -> PreprocessSpec {
        PreprocessSpec(width: width, height: height, resize: .shorterSide(Int((Double(min(width, height)) * 256 / 224).rounded())),
                       interpolation: .bilinear, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: .rgb)
    }
}
