import Foundation

/// CAM's precondition (Zhou et al. 2016; Grad-CAM paper, Section 3.1): the target layer feeds
/// global average pooling, then one linear layer produces the logits.
public struct LinearClassifier: Sendable {
    /// (classes, K) row-major: row c holds w^c.
    public let weights: [Float]
    public let classCount: Int
    public let channels: Int
}

extension Model {
    /// The linear classifier after `layer`, when the graph is target -> GAP -> (views) ->
    /// Gemm/MatMul -> (views) -> logits; nil for any other shape of head.
    /// Found once per layer and kept: CAM requests then share one copy of the weights.
    public func linearClassifier(after layer: String) throws(EngineError) -> LinearClassifier? {
        if let known = classifiers.value(for: layer) { return known }
        let found = try findLinearClassifier(after: layer)
        classifiers.store(found, for: layer)
        return found
    }

    private func findLinearClassifier(after layer: String) throws(EngineError) -> LinearClassifier? {
        let plan = try plan(batch: 1)
        let target = try targetValue(layer, in: plan)
        let channels = plan.values[target].shape[1]
        var consumers = [Int: [Int]]()
        for (i, step) in plan.steps.enumerated() { for input in step.inputs { consumers[input, default: []].append(i) } }
        func onlyConsumer(_ value: Int) -> Step? {
            guard let list = consumers[value], list.count == 1 else { return nil }
            return plan.steps[list[0]]
        }
        guard let pool = onlyConsumer(target), pool.op is GlobalAveragePool else { return nil }
        var value = pool.output
        while let view = onlyConsumer(value), view.op == nil { value = view.output }
        guard let linear = onlyConsumer(value), let product = linear.op as? MatrixProduct,
              linear.inputs[0] == value, !product.transposeA, product.batchCount == 1 else { return nil }
        var output = linear.output
        while output != plan.logitsValue, let view = onlyConsumer(output), view.op == nil { output = view.output }
        guard output == plan.logitsValue,
              case .constant(let buffer) = plan.values[linear.inputs[1]].storage,
              product.k == channels else { return nil }
        let stored = weights.floats(ofBuffer: buffer, count: product.k * product.n)
        // Row c of the result is w^c: B is (N, K) with transB, else (K, N) and needs transposing.
        let rows: [Float] = product.transposeB ? stored : (0..<product.n).flatMap { c in (0..<product.k).map { stored[$0 * product.n + c] } }
        return LinearClassifier(weights: rows.map { $0 * product.alpha }, classCount: product.n, channels: channels)
    }
}

/// Classifier lookups by layer (nil results included), behind a lock.
final class ClassifierCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: LinearClassifier?] = [:]

    func value(for layer: String) -> LinearClassifier?? {
        lock.lock(); defer { lock.unlock() }
        return entries[layer]
    }

    func store(_ classifier: LinearClassifier?, for layer: String) {
        lock.lock(); defer { lock.unlock() }
        entries[layer] = classifier
    }
}
