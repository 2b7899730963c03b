import Foundation
import Tensor

/// The model's weights after compilation, converted once and shared by every batch size's
/// plan and every worker. Entries are written under the lock while compiling and never
/// changed afterwards, which is what makes the unchecked Sendable sound.
final class WeightStore: @unchecked Sendable {
    private let lock = NSLock()
    private var arrays: [String: [Float]] = [:]
    private var buffers: [FloatBuffer] = []
    private var bufferIndex: [String: Int] = [:]

    /// Operator-owned weights (convolution kernels after BatchNorm folding, biases).
    func floats(_ key: String, make: () throws -> [Float]) rethrows -> [Float] {
        lock.lock(); defer { lock.unlock() }
        if let cached = arrays[key] { return cached }
        let value = try make()
        arrays[key] = value
        return value
    }

    /// A constant that operators read through a value slot (a Gemm's B, an Add's bias):
    /// the index of a buffer whose address stays fixed for the model's lifetime.
    func constantBuffer(_ key: String, make: () throws -> [Float]) rethrows -> Int {
        lock.lock(); defer { lock.unlock() }
        if let index = bufferIndex[key] { return index }
        let values = try make()
        let buffer = FloatBuffer(count: values.count)
        values.withUnsafeBufferPointer { buffer.pointer.update(from: $0.baseAddress!, count: values.count) }
        buffers.append(buffer)
        bufferIndex[key] = buffers.count - 1
        return buffers.count - 1
    }

    func pointer(ofBuffer index: Int) -> UnsafeMutablePointer<Float> {
        lock.lock(); defer { lock.unlock() }
        return buffers[index].pointer
    }

    func floats(ofBuffer index: Int, count: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: pointer(ofBuffer: index), count: count))
    }
}
