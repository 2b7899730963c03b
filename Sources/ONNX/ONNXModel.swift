/// An OperatorSetIdProto: which version of an operator set the model's nodes follow.
public struct ONNXOperatorSet: Sendable, Equatable {
    /// "" (or "ai.onnx") is the default operator set.
    public let domain: String
    public let version: Int64

    public init(domain: String, version: Int64) {
        self.domain = domain
        self.version = version
    }

    /// The default domain is spelled "" or "ai.onnx" (onnx IR spec, "Operator Sets").
    public var isDefaultDomain: Bool { domain.isEmpty || domain == "ai.onnx" }
}

/// A ModelProto: the graph plus the versions it was written against.
public struct ONNXModel: Sendable {
    public let irVersion: Int64
    public let opsetImports: [ONNXOperatorSet]
    public let producerName: String
    public let producerVersion: String
    public let graph: ONNXGraph

    public init(irVersion: Int64, opsetImports: [ONNXOperatorSet], producerName: String,
                producerVersion: String, graph: ONNXGraph) {
        self.irVersion = irVersion
        self.opsetImports = opsetImports
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.graph = graph
    }

    /// The imported version of `domain`'s operator set; "" and "ai.onnx" both name the default.
    public func opsetVersion(forDomain domain: String = "") -> Int64? {
        let wantsDefault = ONNXOperatorSet(domain: domain, version: 0).isDefaultDomain
        return opsetImports.first { wantsDefault ? $0.isDefaultDomain : $0.domain == domain }?.version
    }
}
