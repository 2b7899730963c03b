import CAM
import HTTP1
import ImageCodecs
import Preprocess

/// Encodes a pipeline result as the client asked: JSON, or a PNG of the heatmap (bare or
/// blended over the network's view of the upload) with the top class in headers.
enum ResponseRenderer {
    static func render(_ result: ExplainResult, for request: ExplainRequest, explainer: Explainer) throws -> HTTPResponse {
        var clock = StageClock()
        switch request.format {
        case .json:
            return .json(result.json(includeRaw: request.options.includeRaw))
        case .png:
            guard let map = result.heatmap else { throw ServiceError.badParameter(name: "format", reason: "png needs an explanation") }
            var pixels = request.colormap.render(map)
            if request.overlay, let source = result.sourceImage {
                // The network saw the resized, centre-cropped image: blend over exactly that.
                let view = Preprocessor.resized(source, spec: explainer.bundle.manifest.preprocessing)
                if view.width == map.width && view.height == map.height {
                    pixels = request.colormap.overlay(map, on: view.pixels, alpha: request.alpha)
                }
            }
            let png = try PNGEncoder.encode(RGBImage(width: map.width, height: map.height, pixels: pixels))
            clock.lap(\.encode)
            var timings = result.timings
            timings.encode = clock.timings.encode
            var headers: HTTPHeaders = ["Content-Type": "image/png"]
            // A PNG has no room for the JSON timings; W3C Server-Timing carries them instead.
            headers.add(name: "Server-Timing", value: timings.stages.map { "\($0.name);dur=\($0.milliseconds)" }.joined(separator: ", "))
            if let top = result.top.first {
                headers.add(name: "X-Top-Class", value: String(top.index))
                headers.add(name: "X-Top-Label", value: headerSafe(top.label))
                headers.add(name: "X-Top-Probability", value: String(top.probability))
            }
            headers.add(name: "X-Target-Class", value: String(result.targetClass))
            if let layer = result.targetLayer { headers.add(name: "X-Target-Layer", value: headerSafe(layer)) }
            return HTTPResponse(status: .ok, headers: headers, body: png)
        }
    }

    /// RFC 9110 5.5: field values are visible ASCII and spaces; anything else becomes '?'.
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}
