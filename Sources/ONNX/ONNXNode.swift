/// A NodeProto: one operator application in the graph.
public struct ONNXNode: Sendable {
    public let name: String
    public let opType: String
    /// "" (or "ai.onnx") for the default operator set.
    public let domain: String
    /// Value names; "" marks an omitted optional input (onnx IR spec, "Optional inputs and outputs").
    public let inputs: [String]
    public let outputs: [String]
    public let attributes: [String: ONNXAttribute]

    public init(name: String, opType: String, domain: String = "", inputs: [String], outputs: [String],
                attributes: [String: ONNXAttribute] = [:]) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// Reads a NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.
    init(reading reader: WireReader, externalFiles: ExternalDataFiles?) throws(ONNXError) {
        var reader = reader
        var name = "", opType = "", domain = "", inputs = [String](), outputs = [String]()
        var attributes = [String: ONNXAttribute]()
        while let field = try reader.next() {
            switch field.number {
            case 1: inputs.append(try field.string(in: reader))
            case 2: outputs.append(try field.string(in: reader))
            case 3: name = try field.string(in: reader)
            case 4: opType = try field.string(in: reader)
            case 5:
                let (attributeName, value) = try ONNXAttribute.reading(
                    field.message("AttributeProto", in: reader), externalFiles: externalFiles)
                guard attributes.updateValue(value, forKey: attributeName) == nil else {
                    throw .malformed("node '\(name.isEmpty ? opType : name)': attribute '\(attributeName)' appears twice")
                }
            case 7: domain = try field.string(in: reader)
            default: break  // doc_string, overload, metadata_props, device_configurations
            }
        }
        guard !opType.isEmpty else {
            throw .malformed("node '\(name)' has no op_type")
        }
        self.init(name: name, opType: opType, domain: domain, inputs: inputs, outputs: outputs, attributes: attributes)
    }
}
