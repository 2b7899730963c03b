import HTTP1

/// Writes JSON with keys in the order given. Foundation's JSONEncoder orders keys by hash or
/// alphabetically, which puts a 224x224 heatmap before the class scores a person looks for.
///
/// The text is kept as UTF-8 bytes, what the response body is: a String would be validated
/// and copied again on the way to the socket, for a body of a third of a megabyte.
struct JSONWriter {
    private(set) var bytes = [UInt8]()
    private var needsComma = [false]

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    /// The text written so far.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func object(_ body: (inout JSONWriter) -> Void) { container("{", "}", body) }
    mutating func array(_ body: (inout JSONWriter) -> Void) { container("[", "]", body) }

    /// Opens a nesting level whose first member takes no comma, lets `body` fill it, closes it.
    private mutating func container(_ open: Unicode.Scalar, _ close: Unicode.Scalar, _ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: open))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        bytes.append(UInt8(ascii: close))
    }

    mutating func key(_ name: String) {
        separate()
        bytes += ErrorBody.jsonString(name).utf8
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    /// A value rendered by another writer.
    mutating func raw(_ json: [UInt8]) { separate(); bytes += json }

    mutating func string(_ value: String) { separate(); bytes += ErrorBody.jsonString(value).utf8 }
    mutating func int(_ value: Int) { separate(); bytes += String(value).utf8 }

    /// Shortest round-trip form; JSON has no NaN or infinity, so those become null.
    mutating func number(_ value: Float) { separate(); appendShortest(value) }
    mutating func number(_ value: Double) { separate(); bytes += (value.isFinite ? "\(value)" : "null").utf8 }

    mutating func numbers(_ values: some Sequence<Float>) { separate(); appendShortestArray(values) }

    private mutating func appendShortest(_ value: Float) { bytes += (value.isFinite ? "\(value)" : "null").utf8 }

    private mutating func appendShortestArray(_ values: some Sequence<Float>) {
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            appendShortest(v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Values rounded to `decimals` places, trailing zeros dropped ("0", "0.5", "0.1235"), written
    /// as bytes: Float's shortest round-trip text costs about 200 ns a value, 9 ms for one
    /// 224x224 heatmap. Values too large for the fixed form (or not finite) send the whole
    /// array to the shortest form, which writes null for those that are not finite.
    mutating func numbers(_ values: some Collection<Float>, decimals: Int) {
        separate()
        let start = bytes.count
        if decimals == Self.unitIntervalDecimals, appendUnitIntervalArray(values) { return }
        if appendFixedArray(values, decimals: decimals) { return }
        bytes.removeSubrange(start...)
        appendShortestArray(values)
    }

    /// The fixed form of every value, or false (after writing part of it) when one is too large.
    private mutating func appendFixedArray(_ values: some Collection<Float>, decimals: Int) -> Bool {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            let scaled = (Double(v) * Double(scale)).rounded()
            guard scaled.magnitude < 1e15 else { return false }
            var units = Int(scaled)
            if units < 0 { bytes.append(UInt8(ascii: "-")); units = -units }
            Self.appendFixed(units, decimals: decimals, scale: scale, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return true
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

    /// Appends the array when every value rounds into 0...1 at four decimals, as a heatmap's
    /// do; else appends nothing and returns false. Each value's text comes from a table of all
    /// 10,001 of them, copied as one 8-byte store (the next value's text overwrites what lies
    /// past this one's length): the general path's per-value append and libm `round` cost 5% of
    /// a POST /explain in perf.
    private mutating func appendUnitIntervalArray(_ values: some Collection<Float>) -> Bool {
        let start = bytes.count
        // '[' , at most 6 characters and a comma per value, 8 bytes of room for the last store.
        bytes.append(contentsOf: repeatElement(0, count: 1 + 7 * values.count + 8))
        var end = start
        bytes.withUnsafeMutableBytes { out in
            let base = out.baseAddress! + start
            base.storeBytes(of: UInt8(ascii: "["), as: UInt8.self)
            var position = 1
            Self.unitIntervalText.withUnsafeBufferPointer { text in
                Self.unitIntervalLength.withUnsafeBufferPointer { length in
                    for v in values {
                        // floor(x + 0.5) is x.rounded() (half away from zero) for x >= 0 here:
                        // x = v * 10^4 has at most 34 significant bits, so x + 0.5 is exact for
                        // x >= 2^-16, and below that both give 0. NaN fails the test. For
                        // x + 0.5 >= 0 the conversion's truncation is that floor, one instruction,
                        // where `rounded(.down)` called libm's floor (x86-64's baseline has no
                        // SSE4.1 round) and spilled registers around the call.
                        let x = Double(v) * 10_000
                        guard x >= 0, x < 10_000.5 else { position = 0; return }
                        let units = Int(x + 0.5)
                        (base + position).storeBytes(of: text[units], as: UInt64.self)  // with its comma
                        position &+= Int(length[units])
                    }
                }
            }
            guard position > 0 else { return }
            if position == 1 { position += 1 }  // no values: "[]"
            (base + position - 1).storeBytes(of: UInt8(ascii: "]"), as: UInt8.self)
            end = start + position
        }
        bytes.removeSubrange(end...)
        return end > start
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
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }
}
