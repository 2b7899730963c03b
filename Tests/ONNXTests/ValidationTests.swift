import Foundation
import Testing
@testable import ONNX

/// Models that must be refused, each with the error that names the reason.
@Suite struct ValidationTests {
    private func loadError(_ name: String) -> ONNXError? {
        loadError(Fixtures.url(name))
    }

    private func loadError(_ url: URL) -> ONNXError? {
        do {
            _ = try ONNXModelLoader.load(contentsOf: url)
            return nil
        } catch {
            return error
        }
    }

    private func parseError(_ bytes: [UInt8]) -> ONNXError? {
        do {
            _ = try ONNXModelLoader.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func refusesIRVersion2() {
        #expect(loadError("ir2.onnx") == .unsupportedIRVersion(2))
    }

    @Test func refusesDefaultOpset6() {
        #expect(loadError("opset6.onnx") == .unsupportedOpset(domain: "", version: 6))
    }

    @Test func refusesIRVersionAndOpsetAboveTheSupportedRange() {
        #expect(parseError(ProtobufWriter.model(irVersion: 12, graph: { $0.string(2, "g") })) == .unsupportedIRVersion(12))
        #expect(parseError(ProtobufWriter.model(opset: 24, graph: { $0.string(2, "g") })) == .unsupportedOpset(domain: "", version: 24))
    }

    @Test func refusesModelWithoutDefaultOpset() {
        var model = ProtobufWriter()
        model.varint(1, 8)
        model.message(7) { $0.string(2, "g") }
        model.message(8) { $0.string(1, "ai.onnx.ml"); $0.varint(2, 3) }
        #expect(parseError(model.bytes) == .missingDefaultOpset)
    }

    @Test func refusesBytesWithoutIRVersionOrGraph() {
        #expect(parseError([]) == .notAModel("no ir_version field"))
        var noGraph = ProtobufWriter()
        noGraph.varint(1, 8)
        noGraph.message(8) { $0.varint(2, 13) }
        #expect(parseError(noGraph.bytes) == .notAModel("no graph"))
    }

    @Test func refusesExternalDataEscapingWithDotDot() {
        guard case let .externalData(reason) = loadError("external/escape_dotdot.onnx") else {
            Issue.record("expected an external data error")
            return
        }
        #expect(reason.contains("'..'") && reason.contains("'w'"))
    }

    @Test func refusesExternalDataAtAbsolutePath() {
        guard case let .externalData(reason) = loadError("external/escape_absolute.onnx") else {
            Issue.record("expected an external data error")
            return
        }
        #expect(reason.contains("/etc/passwd") && reason.contains("relative"))
    }

    @Test func refusesExternalDataWhenParsedWithoutBaseDirectory() throws {
        let bytes = try Fixtures.bytes("external/conv_external.onnx")
        guard case .externalData = parseError(bytes) else {
            Issue.record("expected an external data error")
            return
        }
        let base = Fixtures.url("external")
        #expect(try ONNXModelLoader.parse(bytes, baseDirectory: base).graph.initializers.count == 2)
    }

    @Test func refusesExternalDataSymlinkedOutsideTheModelDirectory() throws {
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("onnx-symlink-\(UUID().uuidString)")
        try files.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? files.removeItem(at: directory) }
        try files.copyItem(at: Fixtures.url("external/conv_external.onnx"), to: directory.appendingPathComponent("m.onnx"))
        try files.createSymbolicLink(at: directory.appendingPathComponent("conv_external.weights"),
                                     withDestinationURL: Fixtures.url("external/conv_external.weights"))
        guard case let .externalData(reason)? = loadError(directory.appendingPathComponent("m.onnx")) else {
            Issue.record("expected an external data error")
            return
        }
        #expect(reason.contains("outside the model directory"))
    }

    @Test func refusesTwoInitializersWithOneName() {
        let bytes = ProtobufWriter.model(graph: { graph in
            for _ in 0 ..< 2 { graph.message(5) { $0.varint(2, 1); $0.string(8, "w"); $0.fixed32(4, 1) } }
        })
        #expect(parseError(bytes) == .malformed("graph '': two initializers are named 'w'"))
    }

    @Test func refusesExternalRangeBeyondEndOfFile() {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.varint(1, 100)
            tensor.varint(2, 1)  // FLOAT
            tensor.string(8, "w")
            tensor.varint(14, 1)  // EXTERNAL
            tensor.message(13) { $0.string(1, "location"); $0.string(2, "conv_external.weights") }
            tensor.message(13) { $0.string(1, "offset"); $0.string(2, "100") }
            tensor.message(13) { $0.string(1, "length"); $0.string(2, "400") }
        })
        let error = try? #require(throws: ONNXError.self) {
            try ONNXModelLoader.parse(bytes, baseDirectory: Fixtures.url("external"))
        }
        guard case let .externalData(reason) = error else {
            Issue.record("expected an external data error, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("beyond the end"))
    }

    @Test func refusesRawDataShorterThanDims() {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.varint(1, 2); tensor.varint(1, 3)
            tensor.varint(2, 1)  // FLOAT: 6 elements need 24 bytes
            tensor.string(8, "w")
            tensor.lengthDelimited(9, [UInt8](repeating: 0, count: 20))
        })
        #expect(parseError(bytes) == .dataSizeMismatch(tensor: "w", expected: 24, actual: 20))
    }

    @Test func refusesFloatDataWithTooManyElements() {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.varint(1, 2)
            tensor.varint(2, 1)
            tensor.string(8, "b")
            for value: Float in [1, 2, 3] { tensor.fixed32(4, value) }
        })
        #expect(parseError(bytes) == .dataSizeMismatch(tensor: "b", expected: 2, actual: 3))
    }

    @Test func refusesNegativeDims() {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.varint(1, -1)
            tensor.varint(2, 1)
            tensor.string(8, "w")
        })
        #expect(parseError(bytes) == .malformed("tensor 'w': dimension 0 is negative (-1)"))
    }

    @Test func refusesDimsWhoseElementCountOverflows() {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            for _ in 0 ..< 3 { tensor.varint(1, 1 << 30) }
            tensor.varint(2, 1)
            tensor.string(8, "huge")
        })
        guard case let .malformed(reason) = parseError(bytes) else {
            Issue.record("expected a malformed error")
            return
        }
        #expect(reason.contains("'huge'") && reason.contains("overflows"))
    }

    @Test func refusesUnknownTensorDataType() {
        let bytes = ProtobufWriter.model(initializer: { tensor in
            tensor.varint(2, 99)
            tensor.string(8, "odd")
        })
        #expect(parseError(bytes) == .malformed("tensor 'odd': unknown or missing data type 99"))
    }

    @Test func refusesFieldWithWrongWireType() {
        var model = ProtobufWriter()
        model.string(1, "8")  // ir_version as a string instead of a varint
        guard case let .malformed(reason) = parseError(model.bytes) else {
            Issue.record("expected a malformed error")
            return
        }
        #expect(reason.contains("ModelProto field 1") && reason.contains("expected varint"))
    }

    @Test func refusesVarintLongerThanTenBytes() {
        let bytes: [UInt8] = [0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01]
        guard case let .malformed(reason) = parseError(bytes) else {
            Issue.record("expected a malformed error")
            return
        }
        #expect(reason.contains("longer than 10 bytes"))
    }

    @Test func refusesLengthPrefixBeyondTheEnd() {
        // graph (field 7) claims 2^40 bytes: no allocation, a truncation error.
        let bytes: [UInt8] = [0x08, 0x08, 0x3A] + ProtobufWriter.varint(1 << 40)
        #expect(parseError(bytes) == .truncated(context: "ModelProto field 7 (1099511627776 bytes)", offset: 2))
    }

    @Test func refusesUnreadableFile() {
        guard case let .fileUnreadable(reason) = loadError("no-such-model.onnx") else {
            Issue.record("expected fileUnreadable")
            return
        }
        #expect(reason.contains("no-such-model.onnx"))
    }

    @Test func skipsUnknownFieldsOfEveryWireType() throws {
        var model = ProtobufWriter()
        model.varint(1, 8)
        model.varint(99, 12345)  // unknown varint
        model.fixed32(98, 1.5)  // unknown fixed32
        model.tag(97, wireType: 1)
        model.bytes += [UInt8](repeating: 7, count: 8)  // unknown fixed64
        model.lengthDelimited(96, [1, 2, 3])  // unknown bytes
        model.tag(95, wireType: 3)  // an unknown group holding one varint
        model.varint(1, 1)
        model.tag(95, wireType: 4)
        model.message(7) { $0.string(2, "kept") }
        model.message(8) { $0.varint(2, 13) }
        let parsed = try ONNXModelLoader.parse(model.bytes)
        #expect(parsed.irVersion == 8)
        #expect(parsed.graph.name == "kept")
    }

    @Test func messagesNameTheTensorAndReason() {
        let message = ONNXError.dataSizeMismatch(tensor: "conv1.weight", expected: 24, actual: 20).description
        #expect(message.contains("conv1.weight") && message.contains("24") && message.contains("20"))
        #expect(ONNXError.unsupportedIRVersion(2).description.contains("3...11"))
    }
}
