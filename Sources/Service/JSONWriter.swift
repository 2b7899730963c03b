import HTTP1

/// Writes JSON with keys in the order given. Foundation's JSONEncoder orders keys by hash or
/// alphabetically, which puts a 224x224 heatmap before the class scores a person looks for.
struct JSONWriter {
    private(set) var text = ""
    private var needsComma = [false]

    init(capacity: Int = 1 << 16) { text.reserveCapacity(capacity) }

    mutating func object(_ body: (inout JSONWriter) -> Void) { container("{", "}", body) }
    mutating func array(_ body: (inout JSONWriter) -> Void) { container("[", "]", body) }

    /// Opens a nesting level whose first member takes no comma, lets `body` fill it, closes it.
    private mutating func container(_ open: String, _ close: String, _ body: (inout JSONWriter) -> Void) {
        separate()
        text += open
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        text += close
    }

    mutating func key(_ name: String) {
        separate()
        text += ErrorBody.jsonString(name) + ":"
        needsComma[needsComma.count - 1] = false
    }

    /// A value rendered by another writer.
    mutating func raw(_ json: String) { separate(); text += json }

    mutating func string(_ value: String) { separate(); text += ErrorBody.jsonString(value) }
    mutating func int(_ value: Int) { separate(); text += String(value) }

    /// Shortest round-trip form; JSON has no NaN or infinity, so those become null.
    mutating func number(_ value: Float) { separate(); text += value.isFinite ? "\(value)" : "null" }
    mutating func number(_ value: Double) { separate(); text += value.isFinite ? "\(value)" : "null" }

    mutating func numbers(_ values: some Sequence<Float>) { array { w in for v in values { w.number(v) } } }

    /// Values rounded to `decimals` places, trailing zeros dropped ("0", "0.5", "0.1235"), written
    /// as bytes: Float's shortest round-trip text costs about 200 ns a value, 9 ms for one
    /// 224x224 heatmap. Values too large for the fixed form (or not finite) fall back to `number`.
    mutating func numbers(_ values: some Collection<Float>, decimals: Int) {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * (decimals + 4) + 2)
        var fallback = false
        bytes.append(UInt8(ascii: "["))
        Self.unitIntervalText.withUnsafeBufferPointer { table in
            for (i, v) in values.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                let scaled = (Double(v) * Double(scale)).rounded()
                guard scaled.magnitude < 1e15 else { fallback = true; break }
                var units = Int(scaled)
                if decimals == Self.unitIntervalDecimals, units >= 0, units <= scale {
                    let slot = units &* Self.slotWidth
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: table[(slot + 1)..<(slot + 1 + Int(table[slot]))]))
                    continue
                }
                if units < 0 { bytes.append(UInt8(ascii: "-")); units = -units }
                Self.appendFixed(units, decimals: decimals, scale: scale, to: &bytes)
            }
        }
        if fallback { numbers(values); return }
        bytes.append(UInt8(ascii: "]"))
        raw(String(decoding: bytes, as: UTF8.self))
    }

    /// units / 10^decimals as text, trailing zeros dropped.
    private static func appendFixed(_ units: Int, decimals: Int, scale: Int, to bytes: inout [UInt8]) {
        appendDigits(units / scale, to: &bytes)
        var fraction = units % scale, places = decimals
        if fraction == 0 { return }
        while fraction % 10 == 0 { fraction /= 10; places -= 1 }
        bytes.append(UInt8(ascii: "."))
        appendDigits(fraction, width: places, to: &bytes)
    }

    /// The text of every value 0, 0.0001, ..., 1 at four decimals, made once: a heatmap's values
    /// all lie there, and a table lookup avoids the integer divisions of formatting each one.
    /// One flat array of 8-byte slots, [length, text...], so a lookup retains nothing.
    private static let unitIntervalDecimals = 4, slotWidth = 8
    private static let unitIntervalText: [UInt8] = (0...10_000).flatMap { units in
        var text = [UInt8]()
        appendFixed(units, decimals: unitIntervalDecimals, scale: 10_000, to: &text)
        return [UInt8(text.count)] + text + Array(repeating: 0, count: slotWidth - 1 - text.count)
    }

    /// The decimal digits of `value` >= 0, left-padded with zeros to `width`, most significant first.
    private static func appendDigits(_ value: Int, width: Int = 1, to bytes: inout [UInt8]) {
        var divisor = 1, digits = 1
        while digits < width || divisor <= value / 10 { divisor *= 10; digits += 1 }
        while divisor > 0 { bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10)); divisor /= 10 }
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
    }
}
