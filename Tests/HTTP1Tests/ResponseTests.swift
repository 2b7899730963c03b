import Foundation
import HTTP1
import Testing

@Suite struct ResponseTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func serializesStatusFieldsLengthAndConnection() {
        let response = HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain", "Content-Length": "999"], body: Array("hi".utf8))
        #expect(text(response.serialized(keepAlive: true))
            == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi")
        #expect(text(response.serialized(keepAlive: false)).contains("\r\nConnection: close\r\n\r\nhi"))
    }

    // RFC 9110 9.3.2: HEAD gets the fields of GET, no body.
    @Test func headResponseKeepsLengthWithoutBody() {
        let bytes = HTTPResponse(status: .ok, body: Array("hello".utf8)).serialized(keepAlive: true, headRequest: true)
        #expect(text(bytes).hasSuffix("Content-Length: 5\r\nConnection: keep-alive\r\n\r\n"))
    }

    // RFC 9110 8.6: no Content-Length in 204.
    @Test func noContentHasNoLength() {
        let bytes = HTTPResponse(status: .noContent, body: Array("x".utf8)).serialized(keepAlive: true)
        #expect(text(bytes) == "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func fieldValuesCannotInjectFields() {
        let response = HTTPResponse(status: .ok, headers: ["X": "a\r\nSet-Cookie: evil"])
        #expect(!text(response.serialized(keepAlive: true)).contains("\r\nSet-Cookie"))
    }

    @Test(arguments: [
        ("payload_too_large", "plain message"),
        ("c", "quote \" backslash \\ newline \n tab \t cr \r nul \u{00} esc \u{1B} unicode é ✓"),
    ])
    func errorBodyIsValidJSONWithTheGivenStrings(_ code: String, _ message: String) throws {
        let json = try JSONSerialization.jsonObject(with: Data(ErrorBody.render(code: code, message: message)))
        let error = try #require((json as? [String: Any])?["error"] as? [String: String])
        #expect(error == ["code": code, "message": message])
    }

    @Test func errorResponseIsJSONWithExtraFields() {
        let response = ErrorBody.response(status: .serviceUnavailable, code: "busy", message: "m",
                                          extraHeaders: ["Retry-After": "1"])
        #expect(response.status.code == 503)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["Retry-After"] == "1")
        #expect(response.body == ErrorBody.render(code: "busy", message: "m"))
    }
}
