/// A TensorProto: a named, typed, shaped block of constant data (an initializer, or an
/// attribute's value). Reading it does not copy its bytes: `raw_data` stays a slice of the
/// memory-mapped model file (or of the mapped external data file) until `floats()` or
/// `int64s()` copies it out, converted, once.
///
/// Releasing memory: the Engine should convert each initializer once and then drop the
/// `ONNXModel`; the last tensor to go unmaps the file. Until then, the mapped pages are clean
/// and file-backed, so the kernel may reclaim them under pressure (they are never swapped or
/// written). To hand pages back promptly while converting a large model layer by layer, call
/// `releaseRawStorage()` after converting a tensor: peak memory is then about one copy of the
/// weights plus the tensor in flight, not two copies.
public struct ONNXTensor: Sendable {
    public let name: String
    public let dataType: ONNXDataType
    /// Non-negative; empty for a scalar.
    public let dims: [Int]
    /// Where the data lives outside the model file, if it does (TensorProto.external_data).
    public let externalData: ONNXExternalData?
    let storage: Storage

    /// The product of `dims` (1 for a scalar); checked against overflow when the tensor was read.
    public var elementCount: Int { dims.reduce(1, *) }

    /// Where a tensor's elements are held, as the file stored them.
    enum Storage: Sendable {
        /// Fixed-width little-endian bytes: `raw_data`, or a range of an external data file.
        case raw(ByteRegion)
        case floatData([Float])
        /// Also carries 8/16-bit integers, bool, float16/bfloat16 bit patterns, packed 4/2-bit types.
        case int32Data([Int32])
        case int64Data([Int64])
        case doubleData([Double])
        case uint64Data([UInt64])
        case stringData([[UInt8]])
    }

    init(name: String, dataType: ONNXDataType, dims: [Int], externalData: ONNXExternalData?, storage: Storage) throws(ONNXError) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
        self.externalData = externalData
        self.storage = storage
        try checkDataSize()
    }

    /// A float tensor built in memory (for tests and for graphs assembled in code).
    public init(name: String, dims: [Int], floats: [Float]) throws(ONNXError) {
        try Self.checkDims(dims, tensor: name)
        try self.init(name: name, dataType: .float, dims: dims, externalData: nil, storage: .floatData(floats))
    }

    /// An int64 tensor built in memory (shapes, axes, indices).
    public init(name: String, dims: [Int], int64s: [Int64]) throws(ONNXError) {
        try Self.checkDims(dims, tensor: name)
        try self.init(name: name, dataType: .int64, dims: dims, externalData: nil, storage: .int64Data(int64s))
    }

    /// Hints to the kernel that this tensor's mapped bytes are not needed now (madvise
    /// MADV_DONTNEED on the whole pages inside its range). Safe to call at any time: the mapping
    /// is private and read-only, so a later `floats()` re-reads the pages from the file. Does
    /// nothing for data decoded into arrays or parsed from an in-memory buffer.
    public func releaseRawStorage() {
        guard case let .raw(region) = storage else { return }
        region.storage.releasePages(in: region.range)
    }

    /// Rejects negative dims and element counts that overflow `Int`.
    static func checkDims(_ dims: [Int], tensor: String) throws(ONNXError) {
        var count = 1
        for (axis, dim) in dims.enumerated() {
            guard dim >= 0 else { throw .malformed("tensor '\(tensor)': dimension \(axis) is negative (\(dim))") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .malformed("tensor '\(tensor)': element count of dims \(dims) overflows") }
            count = product
        }
    }

    /// onnx.proto, TensorProto: raw_data holds ceil(count × bits / 8) bytes; a typed field holds
    /// one entry per element, except complex (two) and the packed sub-byte types in int32_data.
    private func checkDataSize() throws(ONNXError) {
        let count = elementCount
        let (expected, actual): (Int, Int)
        switch storage {
        case let .raw(region):
            guard let bits = dataType.bitsPerElement else {
                throw .malformed("tensor '\(name)': \(dataType) data cannot be stored in raw_data")
            }
            let (totalBits, overflow) = count.multipliedReportingOverflow(by: bits)
            guard !overflow else { throw .malformed("tensor '\(name)': byte size of dims \(dims) overflows") }
            (expected, actual) = (Self.divideRoundingUp(totalBits, by: 8), region.count)
        case let .floatData(values):
            try requireType([.float, .complex64], field: "float_data")
            (expected, actual) = (dataType == .complex64 ? try twice(count) : count, values.count)
        case let .int32Data(values):
            try requireType(ONNXDataType.allCases.filter(\.isCarriedByInt32Data), field: "int32_data")
            (expected, actual) = (Self.divideRoundingUp(count, by: dataType.elementsPerInt32Entry), values.count)
        case let .int64Data(values):
            try requireType([.int64], field: "int64_data")
            (expected, actual) = (count, values.count)
        case let .doubleData(values):
            try requireType([.double, .complex128], field: "double_data")
            (expected, actual) = (dataType == .complex128 ? try twice(count) : count, values.count)
        case let .uint64Data(values):
            try requireType([.uint32, .uint64], field: "uint64_data")
            (expected, actual) = (count, values.count)
        case let .stringData(values):
            try requireType([.string], field: "string_data")
            (expected, actual) = (count, values.count)
        }
        guard expected == actual else { throw .dataSizeMismatch(tensor: name, expected: expected, actual: actual) }
    }

    /// Complex numbers take two entries each (real, imaginary).
    private func twice(_ count: Int) throws(ONNXError) -> Int {
        let (doubled, overflow) = count.multipliedReportingOverflow(by: 2)
        guard !overflow else { throw .malformed("tensor '\(name)': element count of dims \(dims) overflows") }
        return doubled
    }

    /// Written without `count + divisor - 1`, which could overflow near `Int.max`.
    private static func divideRoundingUp(_ count: Int, by divisor: Int) -> Int {
        count / divisor + (count % divisor == 0 ? 0 : 1)
    }

    private func requireType(_ allowed: [ONNXDataType], field: String) throws(ONNXError) {
        guard allowed.contains(dataType) else {
            throw .malformed("tensor '\(name)': \(field) cannot hold \(dataType) data")
        }
    }
}

/// TensorProto.external_data, as written in the model: `location` is relative to the model's
/// directory.
public struct ONNXExternalData: Sendable, Equatable {
    public let location: String
    public let offset: Int
    public let length: Int
}

extension ONNXDataType {
    /// onnx.proto, TensorProto.int32_data: the types that field may carry.
    var isCarriedByInt32Data: Bool {
        switch self {
        case .float, .int64, .string, .double, .uint32, .uint64, .complex64, .complex128: false
        default: true
        }
    }
}
