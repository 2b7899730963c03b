/// An immutable dense float tensor: model weights and folded constants.
///
/// Storage is a Swift array, so every worker can read the same weights without locks:
/// nobody writes to a `Tensor` after the model is compiled.
public struct Tensor: Sendable, Equatable {
    public let shape: Shape
    public let values: [Float]

    /// Fails when `values.count` does not match the shape.
    public init?(shape: Shape, values: [Float]) {
        guard shape.elementCount == values.count else { return nil }
        self.shape = shape
        self.values = values
    }

    public init(zeros shape: Shape) {
        self.shape = shape
        self.values = [Float](repeating: 0, count: shape.elementCount)
    }

    public var elementCount: Int { values.count }
}
