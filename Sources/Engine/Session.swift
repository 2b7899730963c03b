/// One worker's handle on a shared Model: it owns the workspaces (activations, gradients,
/// scratch) and is used by one thread at a time. Workspaces are created per batch size on
/// first use and then reused, so steady-state requests allocate no tensor memory.
public final class Session {
    public let model: Model
    private var workspaces: [Int: Workspace] = [:]
    private var backwardPlans: [BackwardKey: BackwardPlan] = [:]
    private var lastRun: Workspace?

    private struct BackwardKey: Hashable { let batch: Int; let layer: String }

    public init(model: Model) { self.model = model }

    /// Runs the network on `batch` images, NCHW floats, and returns the logits (batch x classes).
    public func forward(_ input: UnsafeBufferPointer<Float>, batch: Int = 1) throws(EngineError) -> [Float] {
        let workspace = try workspace(batch: batch)
        let plan = workspace.plan
        let expected = plan.values[plan.inputValue].count
        guard input.count == expected, let source = input.baseAddress else {
            throw .inputSizeMismatch(expected: expected, actual: input.count)
        }
        workspace.valuePointers[plan.inputValue].update(from: source, count: expected)
        workspace.forward()
        lastRun = workspace
        return Array(workspace.values(of: plan.logitsValue))
    }

    /// Milliseconds per operator type of one forward pass (after `forward` sized the workspace).
    public func profileForward(batch: Int = 1) throws(EngineError) -> [String: Double] {
        try workspace(batch: batch).profiledForward()
    }

    /// Back-propagates from each image's class score y^c (the pre-softmax logit) to `layer`,
    /// after `forward` on the same batch. Returns A and dy^c/dA, both (N, K, u, v).
    public func backward(classes: [Int], layer: String) throws(EngineError) -> LayerGradients {
        guard let workspace = lastRun, workspace.plan.batch == classes.count else {
            throw .unsupportedBatch(classes.count, reason: "backward needs a forward pass on a batch of the same size first")
        }
        let plan = workspace.plan
        for c in classes where c < 0 || c >= model.classCount { throw .classOutOfRange(c, classCount: model.classCount) }
        let key = BackwardKey(batch: plan.batch, layer: layer)
        let backward: BackwardPlan
        if let cached = backwardPlans[key] {
            backward = cached
        } else {
            let target = try model.targetValue(layer, in: plan)
            do { backward = try BackwardPlan(plan: plan, target: target) } catch let error as EngineError { throw error } catch { throw .unknownLayer(layer) }
            backwardPlans[key] = backward
        }
        let classCount = model.classCount
        // Seed: d(sum_n y_n^{c_n}) / d(logits) is one-hot per image; images never mix
        // (BatchNorm is in inference mode), so each receives its own class's gradient.
        workspace.backward(backward) { seed in
            for (n, c) in classes.enumerated() { seed[n * classCount + c] += 1 }
        }
        let shape = plan.values[backward.target].shape
        return LayerGradients(shape: shape,
                              activations: Array(workspace.values(of: backward.target)),
                              gradients: Array(workspace.gradient(of: backward.target) ?? UnsafeBufferPointer(start: nil, count: 0)))
    }

    private func workspace(batch: Int) throws(EngineError) -> Workspace {
        if let existing = workspaces[batch] { return existing }
        let workspace = Workspace(plan: try model.plan(batch: batch), weights: model.weights)
        workspaces[batch] = workspace
        return workspace
    }
}

/// A layer's activations A and gradients dy^c/dA, each (N, K, u, v) row-major.
public struct LayerGradients: Sendable {
    public let shape: [Int]
    public let activations: [Float]
    public let gradients: [Float]

    public var batch: Int { shape[0] }
    public var channels: Int { shape[1] }
    public var height: Int { shape[2] }
    public var width: Int { shape[3] }
}
