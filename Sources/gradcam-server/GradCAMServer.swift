import ArgumentParser

@main
struct GradCAMServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcam-server",
        abstract: "Classify images with a CNN and explain the decision with Grad-CAM.",
        subcommands: [Serve.self, Inspect.self, Explain.self, Bench.self],
        defaultSubcommand: Serve.self)
}
