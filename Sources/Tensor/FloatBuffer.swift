/// A 64-byte aligned, zero-initialised float allocation owned by one worker.
///
/// Activations, gradients and im2col columns live in these buffers, which are allocated
/// once per worker and reused for every request, so the request path allocates nothing.
/// It is a class so that its lifetime ends the allocation; it is not shared between threads.
public final class FloatBuffer {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        self.count = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: self.count * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: self.count)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    public func zero(offset: Int = 0, count: Int) {
        (pointer + offset).update(repeating: 0, count: count)
    }
}
