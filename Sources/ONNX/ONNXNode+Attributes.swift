/// Typed attribute access: nil when the attribute is absent (the operator's default applies),
/// `ONNXError.badAttribute` when it is present with another type.
extension ONNXNode {
    public func int(_ name: String) throws(ONNXError) -> Int64? {
        guard let attribute = attributes[name] else { return nil }
        guard case let .int(value) = attribute else { throw mismatch(name, expected: "int", found: attribute) }
        return value
    }

    public func ints(_ name: String) throws(ONNXError) -> [Int64]? {
        guard let attribute = attributes[name] else { return nil }
        guard case let .ints(values) = attribute else { throw mismatch(name, expected: "ints", found: attribute) }
        return values
    }

    public func float(_ name: String) throws(ONNXError) -> Float? {
        guard let attribute = attributes[name] else { return nil }
        guard case let .float(value) = attribute else { throw mismatch(name, expected: "float", found: attribute) }
        return value
    }

    public func floats(_ name: String) throws(ONNXError) -> [Float]? {
        guard let attribute = attributes[name] else { return nil }
        guard case let .floats(values) = attribute else { throw mismatch(name, expected: "floats", found: attribute) }
        return values
    }

    public func string(_ name: String) throws(ONNXError) -> String? {
        guard let attribute = attributes[name] else { return nil }
        guard case let .string(value) = attribute else { throw mismatch(name, expected: "string", found: attribute) }
        return value
    }

    public func strings(_ name: String) throws(ONNXError) -> [String]? {
        guard let attribute = attributes[name] else { return nil }
        guard case let .strings(values) = attribute else { throw mismatch(name, expected: "strings", found: attribute) }
        return values
    }

    public func tensor(_ name: String) throws(ONNXError) -> ONNXTensor? {
        guard let attribute = attributes[name] else { return nil }
        guard case let .tensor(value) = attribute else { throw mismatch(name, expected: "tensor", found: attribute) }
        return value
    }

    /// The name to show in errors: the node's name, or its op type when it has none.
    public var displayName: String { name.isEmpty ? opType : name }

    private func mismatch(_ name: String, expected: String, found: ONNXAttribute) -> ONNXError {
        .badAttribute(node: displayName, name: name, reason: "expected \(expected), found \(found.kindName)")
    }
}
