/// A GraphProto: nodes in topological order, constant initializers, and the declared inputs,
/// outputs and intermediate values.
public struct ONNXGraph: Sendable {
    public let name: String
    public let nodes: [ONNXNode]
    public let initializers: [ONNXTensor]
    /// As declared. Models exported with IR < 4 also list every initializer here; use
    /// `runtimeInputs` for what a caller must feed.
    public let inputs: [ONNXValueInfo]
    public let outputs: [ONNXValueInfo]
    public let valueInfo: [ONNXValueInfo]

    public init(name: String, nodes: [ONNXNode], initializers: [ONNXTensor], inputs: [ONNXValueInfo],
                outputs: [ONNXValueInfo], valueInfo: [ONNXValueInfo] = []) {
        self.name = name
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs
        self.outputs = outputs
        self.valueInfo = valueInfo
    }

    /// The inputs a caller must supply: declared inputs not named by an initializer (onnx IR
    /// spec, "Graphs": an input with an initializer of the same name is a weight with a default).
    public var runtimeInputs: [ONNXValueInfo] {
        let weightNames = Set(initializers.map(\.name))
        return inputs.filter { !weightNames.contains($0.name) }
    }

    /// GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12,
    /// value_info = 13, sparse_initializer = 15.
    init(reading reader: WireReader, externalFiles: ExternalDataFiles?) throws(ONNXError) {
        var reader = reader
        var name = "", nodes = [ONNXNode](), initializers = [ONNXTensor]()
        var inputs = [ONNXValueInfo](), outputs = [ONNXValueInfo](), valueInfo = [ONNXValueInfo]()
        while let field = try reader.next() {
            switch field.number {
            case 1: nodes.append(try ONNXNode(reading: field.message("NodeProto", in: reader), externalFiles: externalFiles))
            case 2: name = try field.string(in: reader)
            case 5:
                initializers.append(try ONNXTensor(reading: field.message("TensorProto", in: reader), externalFiles: externalFiles))
            case 11: inputs.append(try ONNXValueInfo(reading: field.message("ValueInfoProto", in: reader)))
            case 12: outputs.append(try ONNXValueInfo(reading: field.message("ValueInfoProto", in: reader)))
            case 13: valueInfo.append(try ONNXValueInfo(reading: field.message("ValueInfoProto", in: reader)))
            // Skipping these would leave nodes reading weights that silently do not exist.
            case 15: throw .unsupportedFeature("sparse initializers (GraphProto.sparse_initializer)")
            default: break  // doc_string, quantization_annotation, metadata_props
            }
        }
        var seen = Set<String>()
        for tensor in initializers where !seen.insert(tensor.name).inserted {
            throw .malformed("graph '\(name)': two initializers are named '\(tensor.name)'")
        }
        self.init(name: name, nodes: nodes, initializers: initializers, inputs: inputs, outputs: outputs, valueInfo: valueInfo)
    }
}
