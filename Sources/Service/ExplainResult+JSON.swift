import CAM

/// The JSON body of /explain and /predict (documented in openapi.yaml as ExplainResponse).
extension ExplainResult {
    /// Keys in a fixed order, the short fields first so that a person reading curl's output
    /// sees the classes before 50,000 heatmap values; the raw map only when asked for.
    public func json(includeRaw: Bool) -> [UInt8] {
        // The maps are most of the work, so they are written first and timed: `encode` then
        // reports the serialisation it belongs to.
        var clock = StageClock()
        // The scaled map lies in [0, 1]: four decimals are finer than an 8-bit PNG (1/255) and
        // about 40% less text than shortest round-trip floats (5.9 vs 9.6 characters a value
        // on uniform floats); the raw map keeps every digit, since its scale is the model's.
        let maps = [(heatmap, 4), (includeRaw ? rawHeatmap : nil, nil)].map { map, decimals in
            map.map { map in
                // About six characters and a comma a value (four decimals), more for raw ones.
                var m = JSONWriter(capacity: map.values.count * (decimals == nil ? 12 : 7) + 64)
                m.map(map, decimals: decimals)
                return m.bytes
            }
        }
        clock.lap(\.encode)
        var timings = self.timings
        timings.encode += clock.timings.encode
        var w = JSONWriter(capacity: maps.reduce(4096) { $0 + ($1?.count ?? 0) })
        w.object { w in
            w.key("model"); w.string(model)
            w.key("targetClass"); w.int(targetClass)
            if let targetLayer { w.key("targetLayer"); w.string(targetLayer) }
            if let method { w.key("method"); w.string(method) }
            w.key("top")
            w.array { w in
                for score in top {
                    w.object { w in
                        w.key("index"); w.int(score.index)
                        w.key("label"); w.string(score.label)
                        w.key("probability"); w.number(score.probability)
                        w.key("logit"); w.number(score.logit)
                    }
                }
            }
            if let logits { w.key("logits"); w.numbers(logits) }
            w.key("timings")
            w.object { w in
                for stage in timings.stages { w.key(stage.name); w.number(stage.milliseconds) }
            }
            if let heatmap = maps[0] { w.key("heatmap"); w.raw(heatmap) }
            if let rawHeatmap = maps[1] { w.key("rawHeatmap"); w.raw(rawHeatmap) }
        }
        return w.bytes
    }
}

extension JSONWriter {
    /// {width, height, data: rows of floats}, rounded to `decimals` places if given.
    mutating func map(_ map: Heatmap, decimals: Int?) {
        object { w in
            w.key("width"); w.int(map.width)
            w.key("height"); w.int(map.height)
            w.key("data")
            w.array { w in
                for row in 0..<map.height {
                    let values = map.values[(row * map.width)..<((row + 1) * map.width)]
                    if let decimals { w.numbers(values, decimals: decimals) } else { w.numbers(values) }
                }
            }
        }
    }
}
