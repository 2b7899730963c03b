/// One worker's handle on a shared Model: it owns the workspaces (activations, gradients,
/// scratch) and is used by one thread at a time.
///
/// The forward pass keeps only what is still needed: the logits, plus, when a layer is
/// named, what backward to that layer reads. Every other activation's memory is reused as
/// soon as it is dead (MemoryPlan). So the layer to explain is chosen before the forward
/// pass, and backward can only reach that layer.
///
/// Workspaces are created per batch size, and memory plans with their pointer tables per
/// (batch, layer), on first use; then they are reused, so steady-state requests allocate
/// no tensor memory.
public final class Session {
    public let model: Model
    private var workspaces: [Int: Workspace] = [:]
    private var bindings: [BindingKey: PlanBinding] = [:]
    private var lastRun: PlanBinding?

    private struct BindingKey: Hashable { let batch: Int; let layer: String? }

    /// Threads each operator may use (see Parallelism).
    public let parallelism: Parallelism

    /// With helper threads: the share of the split operators' thread time spent waiting for
    /// the slowest piece so far (PieceBalance); nil without helpers.
    public var idleThreadShare: Double? {
        guard let balance = parallelism.team?.balance, balance.threadNanoseconds > 0 else { return nil }
        return Double(balance.idleNanoseconds) / Double(balance.threadNanoseconds)
    }
    /// The cores this session shares with other workers' sessions, if any (SharedCores).
    public var sharing: SharedCores? { lease?.cores }
    private let lease: CoreLease?

    /// With `sharing`, operators run on one thread except within `runningJob`, where each uses
    /// this job's share of those cores at the time it starts, up to `parallelism.threads`. The
    /// service's workers pass one SharedCores and run each job within `runningJob`.
    public init(model: Model, parallelism: Parallelism = .serial, sharing: SharedCores? = nil) {
        self.model = model
        let lease = sharing.map(CoreLease.init)
        self.lease = lease
        self.parallelism = parallelism.threads > 1 ? Parallelism(team: ThreadTeam(helpers: parallelism.threads - 1), lease: lease) : .serial
    }

    /// Runs `job` (everything a worker does for one request) counted among the jobs that share
    /// the cores; its operators may borrow idle cores if it started with a core to spare.
    public func runningJob<T, E: Error>(_ job: () throws(E) -> T) throws(E) -> T {
        guard let lease else { return try job() }
        return try lease.cores.counting { (startedWithSpareCore: Bool) throws(E) -> T in
            lease.mayBorrow = startedWithSpareCore
            defer { lease.mayBorrow = false }
            return try job()
        }
    }

    deinit { parallelism.team?.stop() }

    /// Runs the network on `batch` images, NCHW floats, and returns the logits (batch x classes).
    /// `layer`: the layer that `backward` will explain next; nil when no backward follows.
    public func forward(_ input: UnsafeBufferPointer<Float>, batch: Int = 1,
                        retainingGradientPathTo layer: String? = nil) throws(EngineError) -> [Float] {
        lastRun = nil
        let binding = try binding(batch: batch, layer: layer)
        let plan = binding.plan
        let expected = plan.values[plan.inputValue].count
        guard input.count == expected, let source = input.baseAddress else {
            throw .inputSizeMismatch(expected: expected, actual: input.count)
        }
        binding.forward(source)
        lastRun = binding
        return Array(binding.values(of: plan.logitsValue))
    }

    /// Milliseconds per operator type of one forward pass (after `forward` on this batch); with
    /// `byShape`, each convolution's key also names its channels, kernel, stride and output plane.
    public func profileForward(batch: Int = 1, byShape: Bool = false) throws(EngineError) -> [String: Double] {
        lastRun = nil
        return try binding(batch: batch, layer: nil).profiledForward(byShape: byShape)
    }

    /// Back-propagates from each image's class score y^c (the pre-softmax logit) to `layer`,
    /// after `forward` on the same batch retained `layer`. Returns A and dy^c/dA, both (N, K, u, v).
    public func backward(classes: [Int], layer: String) throws(EngineError) -> LayerGradients {
        let (binding, target) = try runBackward(classes: classes, layer: layer)
        return LayerGradients(shape: binding.plan.values[target].shape,
                              activations: Array(binding.values(of: target)),
                              gradients: Array(binding.gradient(of: target) ?? UnsafeBufferPointer(start: nil, count: 0)))
    }

    /// Milliseconds per operator type of one backward pass from class `c` to `layer`, after
    /// `forward` on one image retained `layer` (for `bench --profile`).
    public func profileBackward(class c: Int, layer: String) throws(EngineError) -> [String: Double] {
        var totals = [String: Double]()
        _ = try runBackward(classes: [c], layer: layer) { step, ms in totals[PlanBinding.profileKey(step), default: 0] += ms }
        return totals
    }

    /// Checks the request against the last forward pass and runs the backward plan; returns the
    /// binding that now holds the gradients, and the target value's ID.
    private func runBackward(classes: [Int], layer: String,
                             timed: ((Step, Double) -> Void)? = nil) throws(EngineError) -> (PlanBinding, Int) {
        guard let binding = lastRun, binding.layer == layer, let target = binding.backward?.target else { throw .layerNotRetained(layer) }
        guard binding.plan.batch == classes.count else {
            throw .unsupportedBatch(classes.count, reason: "backward needs a forward pass on a batch of the same size first")
        }
        for c in classes where c < 0 || c >= model.classCount { throw .classOutOfRange(c, classCount: model.classCount) }
        let classCount = model.classCount
        // Seed: d(sum_n y_n^{c_n}) / d(logits) is one-hot per image; images never mix
        // (BatchNorm is in inference mode), so each receives its own class's gradient.
        _ = binding.runBackward(seed: { seed in
            for (n, c) in classes.enumerated() { seed[n * classCount + c] += 1 }
        }, timed: timed)
        return (binding, target)
    }

    /// The binding for (batch, layer), built on first use. Building one may grow the batch's
    /// arenas, which invalidates what the last forward pass left in them.
    private func binding(batch: Int, layer: String?) throws(EngineError) -> PlanBinding {
        let key = BindingKey(batch: batch, layer: layer)
        if let existing = bindings[key] { return existing }
        let workspace = try workspace(batch: batch)
        let target = try layer.map { name throws(EngineError) in try model.targetValue(name, in: workspace.plan) }
        let binding = try PlanBinding(workspace: workspace, layer: layer, target: target)
        bindings[key] = binding
        return binding
    }

    private func workspace(batch: Int) throws(EngineError) -> Workspace {
        if let existing = workspaces[batch] { return existing }
        let workspace = Workspace(plan: try model.plan(batch: batch), weights: model.weights, parallelism: parallelism)
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
