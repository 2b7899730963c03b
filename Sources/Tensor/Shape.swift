/// The dimensions of a dense, row-major tensor, outermost first (NCHW for images).
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral elements: Int...) { self.dims = elements }

    public var rank: Int { dims.count }
    /// Number of elements; 1 for a scalar (rank 0).
    public var elementCount: Int { dims.reduce(1, *) }
    public subscript(axis: Int) -> Int { dims[axis] }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= dims[axis]
        }
        return strides
    }

    /// The same shape with the outermost (batch) dimension replaced.
    public func withBatch(_ batch: Int) -> Shape {
        guard rank > 0 else { return self }
        var copy = dims
        copy[0] = batch
        return Shape(copy)
    }

    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
