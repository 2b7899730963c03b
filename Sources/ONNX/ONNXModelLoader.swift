import Foundation

/// Reads ONNX model files. Checks the IR version and opsets before reading the graph (a
/// loader checks the format's version before anything else), then reads every node, tensor
/// and value info, checking each tensor's size against its dims.
public enum ONNXModelLoader {
    /// IR versions 3 (ONNX 1.0 to 1.3) to 11 (ONNX 1.18 and later).
    public static let supportedIRVersions: ClosedRange<Int64> = 3 ... 11
    /// Default-domain (ai.onnx) opsets the Engine's operators are written against.
    public static let supportedDefaultOpsets: ClosedRange<Int64> = 7 ... 23

    /// Memory-maps the file and parses it; tensor data stays in the mapping (see `ONNXTensor`).
    /// External data files are resolved relative to the file's directory.
    public static func load(contentsOf url: URL) throws(ONNXError) -> ONNXModel {
        let storage = try ByteStorage.mapping(fileAt: url.path)
        return try parse(storage, externalFiles: ExternalDataFiles(baseDirectory: url.deletingLastPathComponent().path))
    }

    /// Parses a model held in memory (the bytes are copied once). With no `baseDirectory`, a
    /// model that keeps tensors in external files is refused.
    public static func parse(_ bytes: some Collection<UInt8>, baseDirectory: URL? = nil) throws(ONNXError) -> ONNXModel {
        try parse(ByteStorage(copying: bytes), externalFiles: baseDirectory.map { ExternalDataFiles(baseDirectory: $0.path) })
    }

    /// ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7,
    /// opset_import = 8. OperatorSetIdProto: domain = 1, version = 2.
    static func parse(_ storage: ByteStorage, externalFiles: ExternalDataFiles?) throws(ONNXError) -> ONNXModel {
        var reader = WireReader(storage: storage, range: 0 ..< storage.bytes.count, message: "ModelProto")
        var irVersion: Int64?, producerName = "", producerVersion = ""
        var graphField: WireField?, opsets = [ONNXOperatorSet]()
        while let field = try reader.next() {
            switch field.number {
            case 1: irVersion = try field.int64(in: reader)
            case 2: producerName = try field.string(in: reader)
            case 3: producerVersion = try field.string(in: reader)
            case 7: graphField = field
            case 8: opsets.append(try readOperatorSet(field.message("OperatorSetIdProto", in: reader)))
            default: break  // domain, model_version, doc_string, metadata, functions, training_info
            }
        }
        guard let irVersion else { throw .notAModel("no ir_version field") }
        guard supportedIRVersions.contains(irVersion) else { throw .unsupportedIRVersion(irVersion) }
        guard let defaultOpset = opsets.first(where: \.isDefaultDomain) else { throw .missingDefaultOpset }
        guard supportedDefaultOpsets.contains(defaultOpset.version) else {
            throw .unsupportedOpset(domain: defaultOpset.domain, version: defaultOpset.version)
        }
        guard let graphField else { throw .notAModel("no graph") }
        let graph = try ONNXGraph(reading: graphField.message("GraphProto", in: reader), externalFiles: externalFiles)
        return ONNXModel(irVersion: irVersion, opsetImports: opsets, producerName: producerName,
                         producerVersion: producerVersion, graph: graph)
    }

    private static func readOperatorSet(_ reader: WireReader) throws(ONNXError) -> ONNXOperatorSet {
        var reader = reader
        var domain = "", version: Int64 = 0
        while let field = try reader.next() {
            switch field.number {
            case 1: domain = try field.string(in: reader)
            case 2: version = try field.int64(in: reader)
            default: break
            }
        }
        return ONNXOperatorSet(domain: domain, version: version)
    }
}
