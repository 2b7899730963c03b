/// Reading a TensorProto (onnx.proto field numbers in comments).
extension ONNXTensor {
    init(reading reader: WireReader, externalFiles: ExternalDataFiles?) throws(ONNXError) {
        var reader = reader
        var dims = [UInt64](), dataTypeCode: Int64 = 0, name = "", dataLocation: Int64 = 0
        var raw: Range<Int>?, floats = [UInt32](), int32s = [UInt64](), int64s = [UInt64]()
        var doubles = [UInt64](), uint64s = [UInt64](), strings = [[UInt8]](), external = [String: String]()
        var typedFields = Set<Int>()
        while let field = try reader.next() {
            switch field.number {
            case 1: try field.appendVarints(to: &dims, in: reader)
            case 2: dataTypeCode = try field.int64(in: reader)
            case 3: throw .unsupportedFeature("tensor segments (TensorProto.segment)")
            case 4: try field.appendFixed(to: &floats, in: reader)
            case 5: try field.appendVarints(to: &int32s, in: reader)
            case 6: strings.append(try field.bytes(in: reader))
            case 7: try field.appendVarints(to: &int64s, in: reader)
            case 8: name = try field.string(in: reader)
            case 9: raw = try field.range(in: reader)
            case 10: try field.appendFixed(to: &doubles, in: reader)
            case 11: try field.appendVarints(to: &uint64s, in: reader)
            case 13:
                let (key, value) = try Self.readStringEntry(field.message("StringStringEntryProto", in: reader))
                external[key] = value
            case 14: dataLocation = try field.int64(in: reader)
            default: break  // doc_string, metadata_props, unknown fields
            }
            if [4, 5, 6, 7, 9, 10, 11].contains(field.number) { typedFields.insert(field.number) }
        }
        let label = name.isEmpty ? "<unnamed>" : name
        guard let dataType = ONNXDataType(rawValue: Int(truncatingIfNeeded: dataTypeCode)),
              Int64(dataType.rawValue) == dataTypeCode else {
            throw .malformed("tensor '\(label)': unknown or missing data type \(dataTypeCode)")
        }
        let intDims = dims.map { Int(truncatingIfNeeded: Int64(bitPattern: $0)) }
        try Self.checkDims(intDims, tensor: label)
        guard typedFields.count <= 1 else {
            throw .malformed("tensor '\(label)': data stored in more than one field \(typedFields.sorted())")
        }

        var storage: Storage
        var externalData: ONNXExternalData?
        switch dataLocation {
        case 0:
            if let raw {
                storage = .raw(ByteRegion(storage: reader.storage, range: raw))
            } else if typedFields.contains(4) {
                storage = .floatData(floats.map(Float.init(bitPattern:)))
            } else if typedFields.contains(5) {
                storage = .int32Data(int32s.map { Int32(truncatingIfNeeded: $0) })
            } else if typedFields.contains(7) {
                storage = .int64Data(int64s.map { Int64(bitPattern: $0) })
            } else if typedFields.contains(10) {
                storage = .doubleData(doubles.map(Double.init(bitPattern:)))
            } else if typedFields.contains(11) {
                storage = .uint64Data(uint64s)
            } else if typedFields.contains(6) || dataType == .string {
                storage = .stringData(strings)
            } else {
                // No data field at all: an empty raw_data, which the size check judges.
                storage = .raw(ByteRegion(storage: reader.storage, range: 0 ..< 0))
            }
        case 1:
            guard typedFields.isEmpty else {
                throw .malformed("tensor '\(label)': marked EXTERNAL but also holds data in the model")
            }
            guard let externalFiles else {
                throw .externalData("tensor '\(label)' keeps its data in a separate file, "
                    + "but the model was parsed without a base directory")
            }
            let (location, region) = try externalFiles.resolve(external, tensor: label)
            (externalData, storage) = (location, .raw(region))
        default:
            throw .malformed("tensor '\(label)': unknown data_location \(dataLocation)")
        }
        try self.init(name: name, dataType: dataType, dims: intDims, externalData: externalData, storage: storage)
    }

    /// StringStringEntryProto: key = 1, value = 2.
    static func readStringEntry(_ reader: WireReader) throws(ONNXError) -> (String, String) {
        var reader = reader
        var key = "", value = ""
        while let field = try reader.next() {
            switch field.number {
            case 1: key = try field.string(in: reader)
            case 2: value = try field.string(in: reader)
            default: break
            }
        }
        return (key, value)
    }
}
