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
        if decimals == Self.unitIntervalDecimals, let text = Self.unitIntervalArray(values) {
            raw(text)
            return
        }
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * (decimals + 4) + 2)
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            let scaled = (Double(v) * Double(scale)).rounded()
            guard scaled.magnitude < 1e15 else { numbers(values); return }
            var units = Int(scaled)
            if units < 0 { bytes.append(UInt8(ascii: "-")); units = -units }
            Self.appendFixed(units, decimals: decimals, scale: scale, to: &bytes)
        }
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

    /// The array when every value rounds into 0...1 at four decimals, as a heatmap's do, else
    /// nil. Each value's text comes from a table of all 10,001 of them, copied as one 8-byte
    /// store (the next value's text overwrites what lies past this one's length): the general
    /// path's per-value append and libm `round` cost 5% of a POST /explain in perf.
    private static func unitIntervalArray(_ values: some Collection<Float>) -> String? {
        // '[' , at most 6 characters and a comma per value, 8 bytes of room for the last store.
        let capacity = 1 + 7 * values.count + 8
        var fits = true
        let text = String(unsafeUninitializedCapacity: capacity) { out in
            let base = UnsafeMutableRawPointer(out.baseAddress!)
            base.storeBytes(of: UInt8(ascii: "["), as: UInt8.self)
            var position = 1
            unitIntervalText.withUnsafeBufferPointer { text in
                unitIntervalLength.withUnsafeBufferPointer { length in
                    for v in values {
                        // floor(x + 0.5) is x.rounded() (half away from zero) for x >= 0 here:
                        // x = v * 10^4 has at most 34 significant bits, so x + 0.5 is exact for
                        // x >= 2^-16, and below that both give 0. NaN fails the test.
                        let x = Double(v) * 10_000, units = (x + 0.5).rounded(.down)
                        guard x >= 0, units <= 10_000 else { fits = false; return }
                        (base + position).storeBytes(of: text[Int(units)], as: UInt64.self)  // with its comma
                        position &+= Int(length[Int(units)])
                    }
                }
            }
            guard fits else { return 0 }
            if position == 1 { position += 1 }  // no values: "[]"
            (base + position - 1).storeBytes(of: UInt8(ascii: "]"), as: UInt8.self)
            return position
        }
        return fits ? text : nil
    }

    /// The text of every value 0, 0.0001, ..., 1 at four decimals and the comma after it
    /// ("0.0001," is the longest, 7 bytes), packed little-endian into one UInt64 each, and its
    /// length. The array's last comma becomes its "]".
    private static let unitIntervalDecimals = 4
    private static let (unitIntervalText, unitIntervalLength): ([UInt64], [UInt8]) = {
        // The 10,001 texts themselves are only needed while the two tables are built.
        var text = [UInt64](), length = [UInt8]()
        for units in 0...10_000 {
            var bytes = [UInt8]()
            appendFixed(units, decimals: unitIntervalDecimals, scale: 10_000, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            text.append(bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            length.append(UInt8(bytes.count))
        }
        return (text, length)
    }()

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
