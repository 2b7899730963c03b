import ArgumentParser
import Foundation
import HTTPServer
import Logging
import Service
import Tensor

/// `gradcam-server serve` (the default command): load the model and answer HTTP.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the HTTP service.",
        discussion: "Every config key can be given as a flag: --port 9000 --workers 2 --queue-depth 16 ... (see the README's table).")

    @Option(help: "A JSON config file (default: Config/gradcam-server.json when present).")
    var config: String?

    @Argument(parsing: .allUnrecognized, help: "Config overrides: --<key> <value>.")
    var overrides: [String] = []

    func run() throws {
        let file = config ?? (FileManager.default.fileExists(atPath: "Config/gradcam-server.json") ? "Config/gradcam-server.json" : nil)
        let settings: ServiceConfig
        do { settings = try ServiceConfig.load(file: file, environment: ProcessInfo.processInfo.environment, flags: overrides) }
        catch { throw ValidationError(error.description) }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = BufferedLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "gradcam-server")
        let bundle = try ModelBundle.load(path: settings.model.isEmpty ? ModelBundle.defaultModelPath() : settings.model)
        // NOTES.md: workers that each run a multi-threaded sgemm gain nothing. Idle cores are
        // used by the engine itself, which splits a lone job's convolutions (SharedCores).
        BLASRuntime.setThreadCount(1)
        let service = GradCAMService(config: settings, bundle: bundle, logger: logger)
        let server = HTTPServer(configuration: settings.serverConfiguration, responder: service, onExchange: { service.record($0) })
        let port = try server.start()
        logger.info("listening", metadata: [
            "address": "\(settings.host):\(port)", "model": "\(bundle.manifest.name)", "workers": "\(settings.workerCount)",
            "queue_depth": "\(settings.queueDepth)", "openblas": "\(BLASRuntime.coreName)",
        ])
        GracefulShutdown.install(server: server, service: service, grace: Double(settings.shutdownGraceMs) / 1000, logger: logger)
        dispatchMain()
    }
}

/// SIGTERM and SIGINT: stop accepting, finish queued and running jobs within the grace
/// period, write their responses, then exit 0.
enum GracefulShutdown {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(server: HTTPServer, service: GradCAMService, grace: Double, logger: Logger) {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                logger.info("shutting down", metadata: ["signal": "\(signalNumber)", "grace_s": "\(grace)"])
                server.stopAccepting()
                let drained = service.pool.drain(grace: grace)
                Task {
                    await server.shutdown(grace: .milliseconds(max(100, Int(grace * 1000 / 2))))
                    logger.info("stopped", metadata: ["drained": "\(drained)"])
                    exit(0)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}
