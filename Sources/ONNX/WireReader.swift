/// One field of a protobuf message as it appears on the wire
/// (protobuf encoding guide, "Message Structure": tag = field_number << 3 | wire_type).
struct WireField {
    enum Value {
        case varint(UInt64)           // wire type 0
        case fixed64(UInt64)          // wire type 1
        case lengthDelimited(Range<Int>) // wire type 2: byte range inside the storage
        case fixed32(UInt32)          // wire type 5
        case group                    // wire types 3/4, skipped whole (deprecated, unused by ONNX)
    }

    let number: Int
    let value: Value
    /// Where the field's tag starts, for error messages.
    let offset: Int

    var wireTypeName: String {
        switch value {
        case .varint: "varint"
        case .fixed64: "fixed64"
        case .lengthDelimited: "length-delimited"
        case .fixed32: "fixed32"
        case .group: "group"
        }
    }
}

/// Reads the fields of one protobuf message from `storage[range]`, one at a time.
///
/// Every length read from the input is checked against the bytes that remain before it is used,
/// so a corrupt or truncated file yields `.truncated` / `.malformed`, never a trap or a huge
/// allocation.
struct WireReader {
    let storage: ByteStorage
    /// The protobuf message being read, e.g. "TensorProto"; names errors.
    let message: String
    private(set) var offset: Int
    let end: Int

    init(storage: ByteStorage, range: Range<Int>, message: String) {
        self.storage = storage
        self.message = message
        offset = range.lowerBound
        end = range.upperBound
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws(ONNXError) -> WireField? {
        guard offset < end else { return nil }
        let tagOffset = offset
        let tag = try readVarint(context: "\(message) field tag")
        let number = tag >> 3
        guard number >= 1, number <= 536_870_911 else {
            throw .malformed("\(message): invalid field number \(number) at byte \(tagOffset)")
        }
        let value: WireField.Value
        switch tag & 7 {
        case 0:
            value = .varint(try readVarint(context: "\(message) field \(number)"))
        case 1:
            value = .fixed64(try readFixed(byteCount: 8, context: "\(message) field \(number)"))
        case 2:
            let length = try readVarint(context: "\(message) field \(number) length")
            guard length <= UInt64(end - offset) else {
                throw .truncated(context: "\(message) field \(number) (\(length) bytes)", offset: tagOffset)
            }
            value = .lengthDelimited(offset ..< offset + Int(length))
            offset += Int(length)
        case 3:
            try skipGroup(number: Int(number), depth: 0)
            value = .group
        case 5:
            value = .fixed32(UInt32(truncatingIfNeeded: try readFixed(byteCount: 4, context: "\(message) field \(number)")))
        default:
            throw .malformed("\(message): invalid wire type \(tag & 7) at byte \(tagOffset)")
        }
        return WireField(number: Int(number), value: value, offset: tagOffset)
    }

    /// A base-128 varint: at most 10 bytes; bits beyond 64 are discarded, as protobuf does.
    mutating func readVarint(context: String) throws(ONNXError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        for index in 0 ..< 10 {
            guard offset < end else { throw .truncated(context: context, offset: start) }
            let byte = storage.bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << UInt64(7 * index)
            if byte & 0x80 == 0 { return result }
        }
        throw .malformed("\(context): varint at byte \(start) is longer than 10 bytes")
    }

    private mutating func readFixed(byteCount: Int, context: String) throws(ONNXError) -> UInt64 {
        guard end - offset >= byteCount else { throw .truncated(context: context, offset: offset) }
        var result: UInt64 = 0
        for index in 0 ..< byteCount {  // little-endian on the wire
            result |= UInt64(storage.bytes[offset + index]) << UInt64(8 * index)
        }
        offset += byteCount
        return result
    }

    /// Skips to the END_GROUP tag matching `number`. Nesting is capped so hostile input cannot
    /// exhaust the stack.
    private mutating func skipGroup(number: Int, depth: Int) throws(ONNXError) {
        guard depth < 64 else { throw .malformed("\(message): groups nested too deeply") }
        while true {
            guard offset < end else { throw .truncated(context: "\(message) group \(number)", offset: offset) }
            let tagOffset = offset
            let tag = try readVarint(context: "\(message) group tag")
            switch tag & 7 {
            case 4:
                guard tag >> 3 == UInt64(number) else {
                    throw .malformed("\(message): unmatched end of group at byte \(tagOffset)")
                }
                return
            case 3:
                try skipGroup(number: Int(tag >> 3), depth: depth + 1)
            default:
                offset = tagOffset
                guard let field = try next() else { return }
                _ = field
            }
        }
    }
}
