import CAM

/// The JSON body of /explain and /predict (documented in openapi.yaml as ExplainResponse).
extension ExplainResult {
    /// Keys in a fixed order, the short fields first so that a person reading curl's output
    /// sees the classes before 50,000 heatmap values; the raw map only when asked for.
    public func json(includeRaw: Bool) -> [UInt8] {
        // The maps are most of the work, so they are written first and timed: `encode` then
        // reports the serialisation it belongs to.
        var clock = StageClock()
        let maps = [heatmap, includeRaw ? rawHeatmap : nil].map { map in
            map.map { map in var m = JSONWriter(); m.map(map); return m.text }
        }
        clock.lap(\.encode)
        var timings = self.timings
        timings.encode += clock.timings.encode
        var w = JSONWriter()
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
                for (name, value) in [("queue", timings.queue), ("decode", timings.decode), ("forward", timings.forward),
                                      ("backward", timings.backward), ("cam", timings.cam), ("encode", timings.encode)] {
                    w.key(name); w.number((value * 1000).rounded() / 1000)
                }
            }
            if let heatmap = maps[0] { w.key("heatmap"); w.raw(heatmap) }
            if let rawHeatmap = maps[1] { w.key("rawHeatmap"); w.raw(rawHeatmap) }
        }
        return Array(w.text.utf8)
    }
}

extension JSONWriter {
    /// {width, height, data: rows of floats}
    mutating func map(_ map: Heatmap) {
        object { w in
            w.key("width"); w.int(map.width)
            w.key("height"); w.int(map.height)
            w.key("data")
            w.array { w in for row in 0..<map.height { w.numbers(map.values[(row * map.width)..<((row + 1) * map.width)]) } }
        }
    }
}
