/// Typed readings of a wire field. Each one checks the wire type the schema (onnx.proto)
/// declares for the field, so a field of the wrong kind is a clear `.malformed`, not garbage.
extension WireField {
    private func wrongType(_ expected: String, in reader: WireReader) -> ONNXError {
        .malformed("\(reader.message) field \(number) at byte \(offset): expected \(expected), found \(wireTypeName)")
    }

    /// An int64/int32/enum field (varint; negative int32 values are sign-extended to 10 bytes).
    func int64(in reader: WireReader) throws(ONNXError) -> Int64 {
        guard case let .varint(raw) = value else { throw wrongType("varint", in: reader) }
        return Int64(bitPattern: raw)
    }

    func float(in reader: WireReader) throws(ONNXError) -> Float {
        guard case let .fixed32(raw) = value else { throw wrongType("fixed32", in: reader) }
        return Float(bitPattern: raw)
    }

    /// The byte range of a `bytes`, `string` or embedded-message field.
    func range(in reader: WireReader) throws(ONNXError) -> Range<Int> {
        guard case let .lengthDelimited(range) = value else { throw wrongType("length-delimited", in: reader) }
        return range
    }

    func bytes(in reader: WireReader) throws(ONNXError) -> [UInt8] {
        Array(reader.storage.bytes[try range(in: reader)])
    }

    /// A `string` field; protobuf requires UTF-8, and a name with invalid UTF-8 could silently
    /// fail to match another, so it is refused.
    func string(in reader: WireReader) throws(ONNXError) -> String {
        let range = try range(in: reader)
        guard let text = String(validating: reader.storage.bytes[range], as: UTF8.self) else {
            throw .malformed("\(reader.message) field \(number) at byte \(offset): invalid UTF-8")
        }
        return text
    }

    /// A reader for an embedded message field.
    func message(_ name: String, in reader: WireReader) throws(ONNXError) -> WireReader {
        WireReader(storage: reader.storage, range: try range(in: reader), message: name)
    }

    /// Appends a repeated varint field (int64/int32/uint64), packed or not
    /// (protobuf encoding guide, "Packed Repeated Fields": parsers must accept both).
    func appendVarints(to values: inout [UInt64], in reader: WireReader) throws(ONNXError) {
        switch value {
        case let .varint(raw):
            values.append(raw)
        case let .lengthDelimited(range):
            var packed = WireReader(storage: reader.storage, range: range, message: "\(reader.message) packed field \(number)")
            while packed.offset < packed.end {
                values.append(try packed.readVarint(context: packed.message))
            }
        default:
            throw wrongType("varint or packed varints", in: reader)
        }
    }

    /// Appends a repeated fixed-width field, packed or not: `UInt32` for float (fixed32),
    /// `UInt64` for double (fixed64).
    func appendFixed<Integer: FixedWidthInteger>(to values: inout [Integer], in reader: WireReader) throws(ONNXError) {
        let width = MemoryLayout<Integer>.size
        switch value {
        case let .fixed32(raw) where width == 4:
            values.append(Integer(truncatingIfNeeded: raw))
        case let .fixed64(raw) where width == 8:
            values.append(Integer(truncatingIfNeeded: raw))
        case let .lengthDelimited(range):
            guard range.count % width == 0 else {
                throw .malformed("\(reader.message) packed field \(number): \(range.count) bytes is not a multiple of \(width)")
            }
            values.reserveCapacity(values.count + range.count / width)
            for start in stride(from: range.lowerBound, to: range.upperBound, by: width) {
                values.append(littleEndianInteger(Integer.self, at: start, in: reader.storage))
            }
        default:
            throw wrongType("fixed\(width * 8) or packed fixed\(width * 8)", in: reader)
        }
    }
}

/// Reads a little-endian integer at a byte offset the caller has bounds-checked.
func littleEndianInteger<Integer: FixedWidthInteger>(_: Integer.Type, at start: Int, in storage: ByteStorage) -> Integer {
    Integer(littleEndian: storage.bytes.loadUnaligned(fromByteOffset: start, as: Integer.self))
}
