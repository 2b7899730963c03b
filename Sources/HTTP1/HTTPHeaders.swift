/// Header fields in the order they arrived, names as sent. Lookups ignore ASCII case, as field
/// names are case-insensitive (RFC 9110 5.1).
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Field = (name: String, value: String)

    private var names: [String] = []
    private var fieldValues: [String] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        for (name, value) in fields { add(name: name, value: value) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }

    /// The first value of the field `name`, or nil.
    public subscript(name: String) -> String? {
        names.firstIndex { $0.equalsIgnoringASCIICase(name) }.map { fieldValues[$0] }
    }

    /// Every value of the field `name`, in order (a field may be sent several times, RFC 9110 5.3).
    public func values(named name: String) -> [String] {
        names.indices.filter { names[$0].equalsIgnoringASCIICase(name) }.map { fieldValues[$0] }
    }

    /// Every comma-separated element of every line of `name`, trimmed, empty ones dropped
    /// (RFC 9110 5.6.1 list syntax).
    public func listElements(named name: String) -> [Substring] {
        values(named: name).flatMap { value in
            value.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingOWS() }
                .filter { !$0.isEmpty }
        }
    }

    /// Whether the list field `name` holds `token`, ignoring case (e.g. `Connection: close`).
    public func containsToken(_ token: String, inField name: String) -> Bool {
        listElements(named: name).contains { $0.equalsIgnoringASCIICase(token) }
    }

    public mutating func add(name: String, value: String) {
        names.append(name)
        fieldValues.append(value)
    }

    /// Removes every field `name`, then adds one with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    public mutating func remove(name: String) {
        for index in names.indices.reversed() where names[index].equalsIgnoringASCIICase(name) {
            names.remove(at: index)
            fieldValues.remove(at: index)
        }
    }

    public func makeIterator() -> some IteratorProtocol<Field> {
        zip(names, fieldValues).lazy.map { (name: $0, value: $1) }.makeIterator()
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality; field names and tokens are ASCII (RFC 9110 5.1).
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        utf8.elementsEqual(other.utf8) { $0.asciiLowercased == $1.asciiLowercased }
    }

    /// Drops optional whitespace (SP / HTAB) at both ends (RFC 9110 5.6.3).
    func trimmingOWS() -> Substring {
        let text = self[...]
        guard let first = text.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = text.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return Substring(text[first...last])
    }
}

extension UInt8 {
    var asciiLowercased: UInt8 { (0x41...0x5A).contains(self) ? self | 0x20 : self }
}
