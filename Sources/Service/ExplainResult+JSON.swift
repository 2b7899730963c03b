import CAM
import Foundation

/// The JSON body of /explain and /predict (documented in openapi.yaml as ExplainResponse).
extension ExplainResult {
    struct MapJSON: Encodable {
        let width: Int, height: Int
        let data: [[Float]]
        init(_ map: Heatmap) { width = map.width; height = map.height; data = map.rows }
    }

    struct Body: Encodable {
        let model: String
        let targetClass: Int
        let targetLayer: String?
        let method: String?
        let top: [ClassScore]
        let logits: [Float]?
        let heatmap: MapJSON?
        let rawHeatmap: MapJSON?
        let timings: Timings
    }

    /// JSON with keys in a stable order; the raw map only when asked for.
    public func json(includeRaw: Bool) -> [UInt8] {
        let body = Body(model: model, targetClass: targetClass, targetLayer: targetLayer, method: method, top: top,
                        logits: logits, heatmap: heatmap.map(MapJSON.init),
                        rawHeatmap: includeRaw ? rawHeatmap.map(MapJSON.init) : nil, timings: timings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return Array((try? encoder.encode(body)) ?? Data("{}".utf8))
    }
}
