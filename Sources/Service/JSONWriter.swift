import HTTP1

/// Writes JSON with keys in the order given. Foundation's JSONEncoder orders keys by hash or
/// alphabetically, which puts a 224x224 heatmap before the class scores a person looks for.
struct JSONWriter {
    private(set) var text = ""
    private var needsComma = [false]

    init(capacity: Int = 1 << 16) { text.reserveCapacity(capacity) }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        text += "{"
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        text += "}"
    }

    mutating func array(_ body: (inout JSONWriter) -> Void) {
        separate()
        text += "["
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        text += "]"
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

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
    }
}
