import Testing
import Dispatch
import Foundation
import HTTP1
import HTTPServer
import TestSupport
@testable import Service

/// The same request bytes, answered in-process (parser + responder, no socket) or by a live
/// server on a loopback port (Hummingbird's testing style), so each test body runs both ways.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    var testDescription: String { rawValue }
    case inProcess = "in-process"
    case live
}

/// A running service for one test: the responder, and for `.live` a server on an ephemeral port.
final class ServiceHarness: @unchecked Sendable {
    let service: GradCAMService
    let server: HTTPServer?
    let port: Int

    init(_ kind: TransportKind, configure: (inout ServiceConfig) -> Void = { _ in }) throws {
        var config = ServiceConfig()
        config.port = 0
        config.workers = 2
        configure(&config)
        service = GradCAMService(config: config, bundle: try Fixtures.defaultBundle.get())
        if kind == .live {
            let server = HTTPServer(configuration: config.serverConfiguration, responder: service, onExchange: { [service] in service.record($0) })
            port = try server.start()
            self.server = server
        } else {
            server = nil
            port = 0
        }
    }

    deinit {
        server?.stopAccepting()
        service.pool.drain(grace: 5)
    }

    func exchange(_ request: [UInt8], timeout: Duration = .seconds(60)) throws -> TestResponse {
        if server != nil {
            let client = try TestClient(port: port, timeout: timeout)
            try client.send(request)
            return try client.readResponse()
        }
        var parser = RequestParser(limits: service.config.httpLimits)
        guard case .complete(let parsed, _) = parser.parse(request) else { throw TestClientError.malformedResponse }
        let done = DispatchSemaphore(value: 0)
        let box = ResponseBox()
        let context = RequestContext(peerAddress: "127.0.0.1:1", isClientConnected: { true }, receivedAt: .now)
        service.respond(to: parsed, context: context) { response in box.response = response; done.signal() }
        guard done.wait(timeout: .now() + .seconds(Int(timeout.components.seconds))) == .success, let response = box.response else {
            throw TestClientError.timedOut
        }
        var headers = [String: String]()
        for field in response.headers { headers[field.name.lowercased()] = field.value }
        return TestResponse(status: response.status.code, headers: headers, body: response.body)
    }
}

final class ResponseBox: @unchecked Sendable { var response: HTTPResponse? }

/// Request bytes as clients send them.
enum RawRequest {
    static func make(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    /// What `curl -F image=@file -F name=value` sends.
    static func multipart(_ target: String, image: [UInt8], filename: String, fields: [(String, String)] = [],
                          headers: [(String, String)] = []) -> [UInt8] {
        let boundary = "------------------------d74496d66958873e"
        var body = [UInt8]()
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(filename)\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
        body += image + Array("\r\n--\(boundary)--\r\n".utf8)
        return make("POST", target, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")] + headers, body: body)
    }
}

/// Decodes a JSON body into a dictionary.
func jsonObject(_ response: TestResponse) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { throw TestClientError.malformedResponse }
    return object
}

/// The error code of an {"error": {"code", "message"}} body.
func errorCode(_ response: TestResponse) -> String? {
    ((try? jsonObject(response))?["error"] as? [String: Any])?["code"] as? String
}
