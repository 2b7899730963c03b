import Foundation
import TestSupport
import ImageCodecs
import Testing
@testable import Service

/// Every route, run in-process and against a live server with the same request bytes.
@Suite(.serialized)
struct RouteTests {
    static let chelsea = try! Fixtures.bytes("photos/chelsea.jpg")

    @Test(arguments: TransportKind.allCases)
    func healthAndReadinessAnswerOK(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind)
        let health = try harness.exchange(RawRequest.make("GET", "/healthz"))
        #expect(health.status == 200)
        #expect(try jsonObject(health)["status"] as? String == "ok")
        let ready = try harness.exchange(RawRequest.make("GET", "/readyz"))
        #expect(ready.status == 200)
        #expect(try jsonObject(ready)["status"] as? String == "ready")
    }

    @Test(arguments: TransportKind.allCases)
    func rawJPEGUploadIsExplainedAsACat(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind)
        let response = try harness.exchange(RawRequest.make("POST", "/explain?top=3", headers: [("Content-Type", "image/jpeg"), ("X-Request-ID", "abc-123")], body: Self.chelsea))
        #expect(response.status == 200)
        #expect(response.headers["x-request-id"] == "abc-123")
        let body = try jsonObject(response)
        let top = try #require(body["top"] as? [[String: Any]])
        #expect(top.count == 3)
        #expect((281...285).contains(top[0]["index"] as? Int ?? -1))
        let heatmap = try #require(body["heatmap"] as? [String: Any])
        #expect(heatmap["width"] as? Int == 224 && heatmap["height"] as? Int == 224)
        #expect((heatmap["data"] as? [[Double]])?.count == 224)
        #expect(body["targetLayer"] as? String == "/head_activation/Clip_output_0")
        #expect(body["rawHeatmap"] == nil)
        let timings = try #require(body["timings"] as? [String: Double])
        #expect(Set(timings.keys) == ["queue", "decode", "forward", "backward", "cam", "encode"])
        #expect((timings["forward"] ?? 0) > 0 && (timings["encode"] ?? 0) > 0)
    }

    @Test(arguments: TransportKind.allCases)
    func multipartUploadAsCurlSendsItGivesTheSameAnswer(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind)
        let raw = try jsonObject(try harness.exchange(RawRequest.make("POST", "/explain?raw=1", headers: [("Content-Type", "image/jpeg")], body: Self.chelsea)))
        let form = try harness.exchange(RawRequest.multipart("/explain", image: Self.chelsea, filename: "chelsea.jpg", fields: [("raw", "true")]))
        #expect(form.status == 200)
        let viaForm = try jsonObject(form)
        #expect((viaForm["top"] as? [[String: Any]])?.first?["index"] as? Int == (raw["top"] as? [[String: Any]])?.first?["index"] as? Int)
        #expect((viaForm["heatmap"] as? [String: Any])?["data"] as? [[Double]] == (raw["heatmap"] as? [String: Any])?["data"] as? [[Double]])
        #expect((viaForm["rawHeatmap"] as? [String: Any])?["width"] as? Int == 7)
    }

    @Test(arguments: TransportKind.allCases)
    func pngAnswerDecodesToTheInputSizeWithTheTopClassInHeaders(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind)
        for target in ["/explain", "/explain?overlay=1&alpha=0.4&colormap=viridis"] {
            let response = try harness.exchange(RawRequest.make("POST", target, headers: [("Content-Type", "image/jpeg"), ("Accept", "image/png")], body: Self.chelsea))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "image/png")
            let image = try ImageDecoder.decode(response.body)
            #expect(image.width == 224 && image.height == 224)
            #expect((281...285).contains(Int(response.headers["x-top-class"] ?? "") ?? -1))
            #expect(Float(response.headers["x-top-probability"] ?? "") != nil)
            #expect(response.headers["server-timing"]?.contains("encode;dur=") == true)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func predictAnswersScoresWithoutAHeatmap(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind)
        let response = try harness.exchange(RawRequest.make("POST", "/predict?top=2&logits=1", headers: [("Content-Type", "image/jpeg")], body: Self.chelsea))
        #expect(response.status == 200)
        let body = try jsonObject(response)
        #expect(body["heatmap"] == nil)
        #expect((body["top"] as? [Any])?.count == 2)
        #expect((body["logits"] as? [Double])?.count == 1000)
    }

    @Test(arguments: TransportKind.allCases)
    func modelDescriptionListsTargetLayers(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind)
        let body = try jsonObject(try harness.exchange(RawRequest.make("GET", "/v1/model")))
        #expect(body["name"] as? String == "efficientnet-lite0")
        #expect(body["classCount"] as? Int == 1000)
        #expect((body["input"] as? [String: Any])?["shape"] as? [Int] == [3, 224, 224])
        let layers = try #require(body["layers"] as? [[String: Any]])
        #expect(layers.contains { $0["name"] as? String == body["defaultLayer"] as? String })
    }

    /// A server with `jpegDraft` says so, with the size to draft to; one without says nothing.
    @Test func modelDescriptionNamesTheJPEGDraftWhenThereIsOne() throws {
        let plain = try jsonObject(try ServiceHarness(.inProcess).exchange(RawRequest.make("GET", "/v1/model")))
        #expect(plain["jpegDraft"] == nil)
        let drafting = try jsonObject(try ServiceHarness(.inProcess) { $0.jpegDraft = true }.exchange(RawRequest.make("GET", "/v1/model")))
        let draft = try #require(drafting["jpegDraft"] as? [String: Int])
        #expect(draft == ["width": 512, "height": 512])
    }

    @Test(arguments: TransportKind.allCases)
    func badRequestsGetTheirStatusAndAJSONError(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind)
        let cases: [(request: [UInt8], status: Int, code: String)] = [
            (RawRequest.make("GET", "/nope"), 404, "not_found"),
            (RawRequest.make("GET", "/explain"), 405, "method_not_allowed"),
            (RawRequest.make("POST", "/explain", headers: [("Content-Type", "text/plain")], body: Array("hello".utf8)), 415, "unsupported_media_type"),
            (RawRequest.make("POST", "/explain", headers: [("Content-Type", "image/png")], body: Array("not a png at all".utf8)), 415, "unsupported_media_type"),
            (RawRequest.make("POST", "/explain", headers: [("Content-Type", "image/jpeg")], body: Array(Self.chelsea.prefix(Self.chelsea.count / 2))), 422, "undecodable_image"),
            (RawRequest.make("POST", "/explain?class=1000", headers: [("Content-Type", "image/jpeg")], body: Self.chelsea), 422, "bad_parameter"),
            (RawRequest.make("POST", "/explain?layer=nope", headers: [("Content-Type", "image/jpeg")], body: Self.chelsea), 422, "bad_parameter"),
            (RawRequest.make("POST", "/explain?colour=red", headers: [("Content-Type", "image/jpeg")], body: Self.chelsea), 422, "bad_parameter"),
            (RawRequest.make("POST", "/explain", headers: [("Content-Type", "image/jpeg"), ("Accept", "text/html")], body: Self.chelsea), 406, "not_acceptable"),
            (RawRequest.make("POST", "/explain", headers: [("Content-Type", "image/jpeg")], body: []), 400, "missing_image"),
            (RawRequest.make("POST", "/explain"), 411, "length_required"),
            (RawRequest.multipart("/explain", image: Self.chelsea, filename: "x.jpg").map { $0 } .replacing(Array("name=\"image\"".utf8), with: Array("name=\"photo\"".utf8)), 400, "missing_image"),
        ]
        for c in cases {
            let response = try harness.exchange(c.request)
            #expect(response.status == c.status, "\(String(decoding: c.request.prefix(60), as: UTF8.self))")
            #expect(errorCode(response) == c.code)
            #expect(response.headers["content-type"] == "application/json")
            if c.status == 405 { #expect(response.headers["allow"] == "POST") }
        }
    }

    @Test(arguments: TransportKind.allCases)
    func corsPreflightAllowsConfiguredOriginsOnly(_ kind: TransportKind) throws {
        let harness = try ServiceHarness(kind) { $0.corsOrigins = ["https://app.example"] }
        let allowed = try harness.exchange(RawRequest.make("OPTIONS", "/explain", headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")]))
        #expect(allowed.status == 204)
        #expect(allowed.headers["access-control-allow-origin"] == "https://app.example")
        #expect(allowed.headers["access-control-allow-methods"]?.contains("POST") == true)
        let other = try harness.exchange(RawRequest.make("OPTIONS", "/explain", headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")]))
        #expect(other.headers["access-control-allow-origin"] == nil)
        let health = try harness.exchange(RawRequest.make("GET", "/healthz", headers: [("Origin", "https://app.example")]))
        #expect(health.headers["access-control-allow-origin"] == "https://app.example")
    }

    @Test func metricsCountRequestsByRouteAndStatus() throws {
        let harness = try ServiceHarness(.live)
        _ = try harness.exchange(RawRequest.make("POST", "/predict", headers: [("Content-Type", "image/jpeg")], body: Self.chelsea))
        _ = try harness.exchange(RawRequest.make("GET", "/nope"))
        _ = try harness.exchange(RawRequest.make("BREW", "/healthz"))
        // The record of an exchange is written after its response, so give it a moment: each of
        // the three, since the thread that sent one may be descheduled before it records it
        // while later ones are recorded (a CI run beside a benchmark on both cores showed that).
        var text = ""
        for _ in 0..<50 {
            text = try harness.exchange(RawRequest.make("GET", "/metrics")).bodyText
            if text.contains(#"route="/predict",method="POST""#) && text.contains(#"route="other",method="GET",status="404""#)
                && text.contains(#"method="other""#) { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(text.contains(#"gradcam_http_requests_total{route="/predict",method="POST",status="200"} 1"#))
        #expect(text.contains(#"gradcam_http_requests_total{route="other",method="GET",status="404"} 1"#))
        // A client's invented method does not become a label value of its own.
        #expect(text.contains(#"gradcam_http_requests_total{route="/healthz",method="other",status="405"} 1"#))
        #expect(!text.contains("BREW"))
        #expect(text.contains("gradcam_http_request_duration_seconds_bucket"))
        #expect(text.contains("gradcam_queue_depth 0"))
        #expect(text.contains("gradcam_worker_busy_seconds_total"))
    }
}
