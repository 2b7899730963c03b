/// Typed attribute access: nil when the attribute is absent (the operator's default applies),
/// `ONNXError.badAttribute` when it is present with another type.
extension ONNXNode {
    public func int(_ name: String) throws(ONNXError) -> Int64? {
        try attribute(name, expected: "int") { if case let .int(value) = $0 { value } else { nil } }
    }

    public func ints(_ name: String) throws(ONNXError) -> [Int64]? {
        try attribute(name, expected: "ints") { if case let .ints(values) = $0 { values } else { nil } }
    }

    public func float(_ name: String) throws(ONNXError) -> Float? {
        try attribute(name, expected: "float") { if case let .float(value) = $0 { value } else { nil } }
    }

    public func floats(_ name: String) throws(ONNXError) -> [Float]? {
        try attribute(name, expected: "floats") { if case let .floats(values) = $0 { values } else { nil } }
    }

    public func string(_ name: String) throws(ONNXError) -> String? {
        try attribute(name, expected: "string") { if case let .string(value) = $0 { value } else { nil } }
    }

    public func strings(_ name: String) throws(ONNXError) -> [String]? {
        try attribute(name, expected: "strings") { if case let .strings(values) = $0 { values } else { nil } }
    }

    public func tensor(_ name: String) throws(ONNXError) -> ONNXTensor? {
        try attribute(name, expected: "tensor") { if case let .tensor(value) = $0 { value } else { nil } }
    }

    /// The name to show in errors: the node's name, or its op type when it has none.
    public var displayName: String { name.isEmpty ? opType : name }

    /// The attribute `name` as `extract` reads it; nil when absent.
    private func attribute<Value>(
        _ name: String, expected: String, _ extract: (ONNXAttribute) -> Value?
    ) throws(ONNXError) -> Value? {
        guard let attribute = attributes[name] else { return nil }
        guard let value = extract(attribute) else {
            throw .badAttribute(node: displayName, name: name, reason: "expected \(expected), found \(attribute.kindName)")
        }
        return value
    }
}
