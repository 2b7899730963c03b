import TestSupport
import Testing
@testable import ONNX

/// Damaged input yields an `ONNXError`, never a trap, a hang or a huge allocation.
@Suite struct RobustnessTests {

    /// onnx writes ir_version first and opset_import last, so for a model with a single opset
    /// import every strict prefix either cuts a field (truncated) or lacks the opset. (With two
    /// imports, the prefix ending after the first is a valid model.) Large files are cut at
    /// about 500 evenly spaced points.
    @Test(arguments: ["conv_raw.onnx", "ir3_opset7_weights_as_inputs.onnx", "light_vgg19.onnx"])
    func refusesEveryTruncationOfAModel(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let cuts = Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 500)))
        var truncatedCount = 0
        for cut in cuts {
            #expect(throws: ONNXError.self, "cut at \(cut) of \(bytes.count)") {
                try ONNXModelLoader.parse(bytes[0 ..< cut])
            }
            if case .truncated? = Self.error(parsing: Array(bytes[0 ..< cut])) { truncatedCount += 1 }
        }
        // Most cuts land inside the graph, whose length prefix then runs past the end.
        #expect(truncatedCount > cuts.count / 2)
    }

    @Test func truncatedFileOnDiskIsATruncationError() throws {
        let bytes = try Fixtures.bytes("conv_raw.onnx")
        for cut in [bytes.count / 4, bytes.count / 2, bytes.count - 1] {
            guard case .truncated? = Self.error(parsing: Array(bytes[0 ..< cut])) else {
                Issue.record("cut at \(cut) should be a truncation")
                continue
            }
        }
    }

    @Test func survivesRandomBuffers() {
        var generator = SplitMix64(state: 20_240_601)
        var refused = 0
        for _ in 0 ..< 1000 {
            let length = Int.random(in: 0 ... 512, using: &generator)
            let bytes = (0 ..< length).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            if Self.error(parsing: bytes) != nil { refused += 1 }
        }
        // A random buffer is practically never a model with a supported IR version, opset and graph.
        #expect(refused == 1000)
    }

    @Test(arguments: ["conv_raw.onnx", "attributes.onnx", "ir3_opset7_weights_as_inputs.onnx"])
    func survivesRandomByteMutations(_ name: String) throws {
        let original = try Fixtures.bytes(name)
        var generator = SplitMix64(state: 7)
        for _ in 0 ..< 1000 {
            var bytes = original
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &generator) {
                bytes[Int.random(in: 0 ..< bytes.count, using: &generator)] = UInt8.random(in: 0 ... 255, using: &generator)
            }
            // Either outcome is fine; a parsed model's tensors must also convert without trapping.
            if let model = try? ONNXModelLoader.parse(bytes) {
                for tensor in model.graph.initializers {
                    _ = try? tensor.floats()
                    _ = try? tensor.int64s()
                }
            }
        }
    }

    private static func error(parsing bytes: [UInt8]) -> ONNXError? {
        do {
            _ = try ONNXModelLoader.parse(bytes)
            return nil
        } catch {
            return error
        }
    }
}
