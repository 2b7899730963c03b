import Tensor

/// One worker's memory for one batch size: the activation arena, the gradient arena and
/// the kernels' scratch (one piece per thread the session may use, ScratchLayout). Every
/// retained layer's memory plan at this batch runs in the same arenas, which are sized to the
/// largest plan seen so far: they grow when a bigger plan arrives (which makes every
/// PlanBinding rebuild its pointer tables) and never shrink. The scratch grows the same way;
/// steps find it anew each time they run.
final class Workspace {
    let plan: ExecutionPlan
    let weights: WeightStore
    let parallelism: Parallelism
    /// Each thread's scratch, laid out as `scratchLayout` says.
    private(set) var scratch = FloatBuffer(count: 0)
    private(set) var scratchLayout = ScratchLayout(first: 0, helper: 0)
    private(set) var activations = FloatBuffer(count: 0)
    private(set) var gradients = FloatBuffer(count: 0)
    /// Incremented whenever an arena is replaced: pointer tables built before are stale.
    private(set) var generation = 0

    init(plan: ExecutionPlan, weights: WeightStore, parallelism: Parallelism) {
        self.plan = plan
        self.weights = weights
        self.parallelism = parallelism
    }

    /// Grows the scratch to hold `layout` (for every thread the session may use).
    func reserve(scratch layout: ScratchLayout) {
        let grown = ScratchLayout(first: max(layout.first, scratchLayout.first), helper: max(layout.helper, scratchLayout.helper))
        guard grown != scratchLayout else { return }
        scratch = FloatBuffer(count: 0)
        scratch = FloatBuffer(count: grown.first + (parallelism.threads - 1) * grown.helper)
        scratchLayout = grown
    }

    /// Grows the arenas to hold `activationFloats` and `gradientFloats`. The old arena is
    /// released before the new one is touched, so growing never holds both.
    func reserve(activationFloats: Int, gradientFloats: Int) {
        if activationFloats > activations.count {
            activations = FloatBuffer(count: 0)
            activations = FloatBuffer(count: activationFloats)
            generation += 1
        }
        if gradientFloats > gradients.count {
            gradients = FloatBuffer(count: 0)
            gradients = FloatBuffer(count: gradientFloats)
            generation += 1
        }
    }
}

/// Scratch floats of a session's first thread and of each other thread, for the steps one
/// binding runs: forward's needs for every step, and backward's for the steps its backward
/// plan runs. Explaining ResNet-50's last layer runs no convolution backward, so no thread
/// holds the 1.8 MB column matrix that backward through a 3x3 layer at 14 x 14 would need.
struct ScratchLayout: Equatable {
    let first: Int
    let helper: Int
}

extension ScratchLayout {
    init(plan: ExecutionPlan, backwardSteps: [Int]) {
        var first = 0, helper = 0
        for op in plan.steps.compactMap(\.op) {
            first = max(first, op.forwardScratchCount)
            helper = max(helper, op.forwardScratchCount)
        }
        for op in backwardSteps.compactMap({ plan.steps[$0].op }) {
            first = max(first, op.scratchCount)
            helper = max(helper, op.helperScratchCount)
        }
        self.init(first: first, helper: helper)
    }
}
