/// Copying a tensor's elements out, converted to the element type the Engine computes in.
/// raw_data is little-endian fixed width (onnx.proto, TensorProto.raw_data); sizes were
/// checked when the tensor was read, so these reads stay in bounds.
extension ONNXTensor {
    /// The elements as `Float`: float as stored; double, float16 and bfloat16 converted.
    public func floats() throws(ONNXError) -> [Float] {
        switch (dataType, storage) {
        case let (.float, .raw(region)):
            return region.floatValues()
        case let (.float, .floatData(values)):
            return values
        case let (.double, .raw(region)):
            return region.littleEndianValues(UInt64.self).map { Float(Double(bitPattern: $0)) }
        case let (.double, .doubleData(values)):
            return values.map(Float.init)
        case let (.float16, .raw(region)):
            return region.littleEndianValues(UInt16.self).map(Self.floatFromHalf)
        case let (.float16, .int32Data(values)):
            return values.map { Self.floatFromHalf(UInt16(truncatingIfNeeded: $0)) }
        case let (.bfloat16, .raw(region)):
            return region.littleEndianValues(UInt16.self).map(Self.floatFromBFloat16)
        case let (.bfloat16, .int32Data(values)):
            return values.map { Self.floatFromBFloat16(UInt16(truncatingIfNeeded: $0)) }
        default:
            throw .unsupportedConversion(tensor: name, from: dataType, to: "Float")
        }
    }

    /// The elements as `Int64`: every signed and unsigned integer type and bool; a uint64 above
    /// `Int64.max` is an error rather than a wrapped negative number.
    public func int64s() throws(ONNXError) -> [Int64] {
        switch (dataType, storage) {
        case let (.int64, .raw(region)):
            return region.littleEndianValues(Int64.self)
        case let (.int64, .int64Data(values)):
            return values
        case let (.int32, .raw(region)):
            return region.littleEndianValues(Int32.self).map(Int64.init)
        case let (.int16, .raw(region)):
            return region.littleEndianValues(Int16.self).map(Int64.init)
        case let (.int8, .raw(region)):
            return region.littleEndianValues(Int8.self).map(Int64.init)
        case let (.uint16, .raw(region)):
            return region.littleEndianValues(UInt16.self).map(Int64.init)
        case let (.uint8, .raw(region)), let (.bool, .raw(region)):
            return region.littleEndianValues(UInt8.self).map(Int64.init)
        case let (.uint32, .raw(region)):
            return region.littleEndianValues(UInt32.self).map(Int64.init)
        case (.int32, .int32Data(let values)), (.int16, .int32Data(let values)), (.int8, .int32Data(let values)),
             (.uint16, .int32Data(let values)), (.uint8, .int32Data(let values)), (.bool, .int32Data(let values)):
            return values.map(Int64.init)
        case let (.uint64, .raw(region)):
            return try checkedInt64s(region.littleEndianValues(UInt64.self))
        case let (.uint32, .uint64Data(values)), let (.uint64, .uint64Data(values)):
            return try checkedInt64s(values)
        default:
            throw .unsupportedConversion(tensor: name, from: dataType, to: "Int64")
        }
    }

    private func checkedInt64s(_ values: [UInt64]) throws(ONNXError) -> [Int64] {
        var result = [Int64]()
        result.reserveCapacity(values.count)
        for value in values {
            guard let converted = Int64(exactly: value) else {
                throw .valueOutOfRange(tensor: name, reason: "uint64 value \(value) exceeds Int64.max")
            }
            result.append(converted)
        }
        return result
    }

    /// IEEE 754 binary16 -> binary32: sign, 5-bit exponent (bias 15), 10-bit fraction.
    /// Subnormal halves become normal floats; infinities and NaNs keep their class.
    static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int(bits >> 10) & 0x1F
        let fraction = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:  // zero or subnormal: fraction × 2^-24
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | (fraction << 13))
        default:  // rebias 15 -> 127
            return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (fraction << 13))
        }
    }

    /// bfloat16 is the upper half of a binary32.
    static func floatFromBFloat16(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}

extension ByteRegion {
    /// The region read as little-endian binary32 values (its size is a multiple of 4).
    func floatValues() -> [Float] {
        #if _endian(little)
        copiedElements(Float.self)
        #else
        littleEndianValues(UInt32.self).map(Float.init(bitPattern:))
        #endif
    }

    /// The region read as consecutive little-endian integers (its size is a multiple of the width).
    func littleEndianValues<Integer: FixedWidthInteger & BitwiseCopyable>(_: Integer.Type) -> [Integer] {
        #if _endian(little)
        copiedElements(Integer.self)
        #else
        copiedElements(Integer.self).map(Integer.init(littleEndian:))
        #endif
    }

    /// The bytes copied, as they are, into an array of `Element`: a single memcpy, with no
    /// intermediate array, because this is the copy that converts a model's weights.
    private func copiedElements<Element: BitwiseCopyable>(_: Element.Type) -> [Element] {
        let count = range.count / MemoryLayout<Element>.stride
        return withBytes { bytes in
            [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: bytes[0 ..< count * MemoryLayout<Element>.stride]))
                initialized = count
            }
        }
    }
}
