import Tensor

/// One worker's memory for one batch size: the activation arena, the gradient arena and
/// im2col scratch (one piece per thread the session may use). Every retained layer's memory
/// plan at this batch runs in the same arenas, which are sized to the largest plan seen so
/// far: they grow when a bigger plan arrives (which makes every PlanBinding rebuild its
/// pointer tables) and never shrink.
final class Workspace {
    let plan: ExecutionPlan
    let weights: WeightStore
    let scratch: FloatBuffer
    let parallelism: Parallelism
    private(set) var activations = FloatBuffer(count: 0)
    private(set) var gradients = FloatBuffer(count: 0)
    /// Incremented whenever an arena is replaced: pointer tables built before are stale.
    private(set) var generation = 0

    init(plan: ExecutionPlan, weights: WeightStore, parallelism: Parallelism) {
        self.plan = plan
        self.weights = weights
        self.parallelism = parallelism
        scratch = FloatBuffer(count: plan.scratchFloats * parallelism.threads)
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
