import Foundation
import Testing
@testable import ONNX

/// `floats()` and `int64s()` read every storage form and convert element types.
@Suite struct TensorConversionTests {
    /// A model whose one initializer has `dims`, `dataType` and raw little-endian `raw` bytes.
    private func tensor(_ dataType: ONNXDataType, dims: [Int64], raw: [UInt8]) throws -> ONNXTensor {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            for dim in dims { tensor.varint(1, dim) }
            tensor.varint(2, Int64(dataType.rawValue))
            tensor.string(8, "t")
            tensor.lengthDelimited(9, raw)
        })
        return try #require(try ONNXModelLoader.parse(bytes).graph.initializers.first)
    }

    private func littleEndianBytes<Value: FixedWidthInteger>(_ values: [Value]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian, Array.init) }
    }

    @Test func convertsDoubleToFloat() throws {
        let values: [Double] = [0.1, -1e300, 3]
        let converted = try tensor(.double, dims: [3], raw: littleEndianBytes(values.map(\.bitPattern))).floats()
        #expect(converted == values.map { Float($0) })
    }

    #if !(os(macOS) && arch(x86_64))
    /// Swift's own Float16 is the reference for every one of the 65,536 half bit patterns.
    @Test func convertsEveryFloat16BitPatternLikeSwiftFloat16() {
        for bits in UInt16.min ... UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = ONNXTensor.floatFromHalf(bits)
            #expect(expected.isNaN ? actual.isNaN : actual.bitPattern == expected.bitPattern, "bits \(bits)")
        }
    }
    #endif

    @Test func convertsBFloat16ByWideningTheBits() throws {
        let floats: [Float] = [1, -2.5, 0.15625]  // exactly representable in bfloat16
        let raw = littleEndianBytes(floats.map { UInt16($0.bitPattern >> 16) })
        #expect(try tensor(.bfloat16, dims: [3], raw: raw).floats() == floats)
    }

    @Test func widensIntegerTypesToInt64() throws {
        #expect(try tensor(.int32, dims: [2], raw: littleEndianBytes([Int32.min, 7])).int64s() == [Int64(Int32.min), 7])
        #expect(try tensor(.int8, dims: [3], raw: [0xFF, 0x80, 0x01]).int64s() == [-1, -128, 1])
        #expect(try tensor(.uint8, dims: [2], raw: [0xFF, 0x00]).int64s() == [255, 0])
        #expect(try tensor(.bool, dims: [2], raw: [1, 0]).int64s() == [1, 0])
        #expect(try tensor(.uint32, dims: [1], raw: littleEndianBytes([UInt32.max])).int64s() == [Int64(UInt32.max)])
    }

    @Test func refusesUInt64AboveInt64Max() throws {
        let huge = try tensor(.uint64, dims: [1], raw: littleEndianBytes([UInt64.max]))
        #expect(throws: ONNXError.valueOutOfRange(tensor: "t", reason: "uint64 value \(UInt64.max) exceeds Int64.max")) {
            try huge.int64s()
        }
    }

    @Test func refusesConversionBetweenFloatAndIntegerTypes() throws {
        let ints = try tensor(.int64, dims: [1], raw: littleEndianBytes([Int64(3)]))
        #expect(throws: ONNXError.unsupportedConversion(tensor: "t", from: .int64, to: "Float")) { try ints.floats() }
        let floats = try ONNXTensor(name: "f", dims: [1], floats: [1])
        #expect(throws: ONNXError.unsupportedConversion(tensor: "f", from: .float, to: "Int64")) { try floats.int64s() }
    }

    @Test func inMemoryTensorsCheckTheirSize() throws {
        #expect(throws: ONNXError.dataSizeMismatch(tensor: "w", expected: 6, actual: 5)) {
            try ONNXTensor(name: "w", dims: [2, 3], floats: [1, 2, 3, 4, 5])
        }
        #expect(try ONNXTensor(name: "s", dims: [], int64s: [42]).int64s() == [42])
    }

    /// The pages madvise drops come back from the file: data stays correct after release.
    @Test func dataSurvivesReleasingRawStorage() throws {
        let values = (0 ..< 64 * 1024).map { Float($0) * 0.5 - 7 }
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.varint(1, Int64(values.count))
            tensor.varint(2, 1)
            tensor.string(8, "big")
            tensor.lengthDelimited(9, littleEndianBytes(values.map(\.bitPattern)))
        })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-release-\(UUID().uuidString).onnx")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let tensor = try #require(try ONNXModelLoader.load(contentsOf: url).graph.initializers.first)
        #expect(try tensor.floats() == values)
        tensor.releaseRawStorage()
        #expect(try tensor.floats() == values)
    }
}
