import Foundation
import TestSupport
import Testing
@testable import Service

/// The built `gradcam-server` executable, driven as a user drives it.
@Suite(.serialized)
struct EndToEndTests {
    /// SwiftPM builds the executable next to the test bundle (.build/<triple>/debug).
    static var executable: URL {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        let beside = bundle.appendingPathComponent("gradcam-server")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/gradcam-server")
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func postedPhotoGetsTheSameAnswerAsTheExplainCommand() throws {
        let photo = Fixtures.url("photos/chelsea.jpg")
        let cli = try run(["explain", "--image", photo.path, "--top", "5"])
        #expect(cli.status == 0)
        let expected = try #require(try JSONSerialization.jsonObject(with: cli.output) as? [String: Any])

        let harness = try ServiceHarness(.live)
        let response = try harness.exchange(RawRequest.multipart("/explain?top=5", image: try Fixtures.bytes("photos/chelsea.jpg"), filename: "chelsea.jpg"))
        #expect(response.status == 200)
        let served = try jsonObject(response)
        let servedTop = (served["top"] as? [[String: Any]])?.compactMap { $0["index"] as? Int }
        let cliTop = (expected["top"] as? [[String: Any]])?.compactMap { $0["index"] as? Int }
        #expect(servedTop != nil && servedTop == cliTop)
        #expect(served["targetLayer"] as? String == expected["targetLayer"] as? String)
        let servedMap = (served["heatmap"] as? [String: Any])?["data"] as? [[Double]]
        let cliMap = (expected["heatmap"] as? [String: Any])?["data"] as? [[Double]]
        #expect(servedMap != nil && servedMap == cliMap)
    }

    @Test func inspectListsTheDefaultLayer() throws {
        let result = try run(["inspect"])
        #expect(result.status == 0)
        let text = String(decoding: result.output, as: UTF8.self)
        #expect(text.contains("default  /head_activation/Clip_output_0"))
        #expect(text.contains("input    input [N, 3, 224, 224] float32"))
    }

    @Test func sigtermDrainsTheRequestInFlightThenExitsZero() throws {
        let port = try freePort()
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--port", String(port), "--workers", "1", "--log-level", "error"]
        process.currentDirectoryURL = Fixtures.repositoryRoot
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        try waitUntilHealthy(port: port)

        let client = try TestClient(port: port, timeout: .seconds(30))
        let photo = try Fixtures.bytes("photos/coffee.jpg")
        try client.send(RawRequest.make("POST", "/explain", headers: [("Content-Type", "image/jpeg")], body: photo))
        Thread.sleep(forTimeInterval: 0.05)  // the request is queued or running
        kill(process.processIdentifier, SIGTERM)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect((try jsonObject(response)["top"] as? [[String: Any]])?.first?["label"] as? String == "espresso")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(throws: (any Error).self) { _ = try TestClient(port: port, timeout: .seconds(1)) }
    }

    private func waitUntilHealthy(port: Int) throws {
        for _ in 0..<200 {
            if let client = try? TestClient(port: port, timeout: .seconds(1)) {
                try client.send(RawRequest.make("GET", "/healthz"))
                if (try? client.readResponse())?.status == 200 { return }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestClientError.timedOut
    }

    /// Binds port 0, reads the port the kernel chose, and releases it.
    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
