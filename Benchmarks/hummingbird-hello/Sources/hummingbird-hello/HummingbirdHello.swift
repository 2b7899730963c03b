import Foundation
import Hummingbird
import NIOCore

/// GET / answers "Hello, world!" on 127.0.0.1. `--port 0` (the default) takes a free port;
/// the line "listening 127.0.0.1:PORT" on stderr tells which, as gradcam-server's log does.
@main
struct HummingbirdHello {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let port = arguments.firstIndex(of: "--port").flatMap { index in
            arguments.indices.contains(index + 1) ? Int(arguments[index + 1]) : nil
        } ?? 0
        let router = Router()
        router.get("/") { _, _ in "Hello, world!" }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                FileHandle.standardError.write(Data("listening 127.0.0.1:\(bound)\n".utf8))
            }
        )
        try await app.runService()
    }
}
