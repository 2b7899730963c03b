import ArgumentParser
import Engine
import Service

/// `gradcam-server inspect MODEL`: what the engine made of a model file.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a model's inputs, outputs, layers and default target layer.")

    @Argument(help: "An .onnx file or a model directory with manifest.json (default: the bundled model).")
    var model: String?

    func run() throws {
        let bundle = try ModelBundle.load(path: model ?? ModelBundle.defaultModelPath())
        let m = bundle.model
        print("model    \(bundle.manifest.name)")
        print("input    \(m.inputName) [N, \(m.inputShape.map(String.init).joined(separator: ", "))] float32")
        print("output   \(m.outputName) [N, \(m.classCount)]")
        print("default  \(bundle.defaultLayer ?? "(none)")")
        print("layers   \(m.layers.count) (marked * can be explained)")
        let width = min(m.layers.map(\.name.count).max() ?? 10, 60)
        for layer in m.layers {
            let mark = layer.shape.count == 4 ? "*" : " "
            let name = layer.name.padding(toLength: max(width, layer.name.count), withPad: " ", startingAt: 0)
            print("  \(mark) \(name)  \(layer.opType.padding(toLength: 18, withPad: " ", startingAt: 0)) \(layer.shape)")
        }
    }
}
