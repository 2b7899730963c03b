/// The part of a plan that carries d(score)/d(activation) from the logits back to one layer.
///
/// Only values that lie on a path from the target layer to the logits need a gradient:
/// everything upstream of the target, and every side branch that does not reach the logits,
/// is skipped, and no weight gradient is ever formed.
struct BackwardPlan: Sendable {
    let target: Int
    /// Indices into plan.steps, in the order they run (reverse topological).
    let steps: [Int]
    let gradientValues: [Int]

    init(plan: ExecutionPlan, target: Int) throws {
        // Values reachable forward from the target.
        var downstream = Set([target])
        for step in plan.steps where step.inputs.contains(where: downstream.contains) {
            downstream.insert(step.output)
        }
        // ... that also reach the logits.
        var needed = Set<Int>()
        if downstream.contains(plan.logitsValue) { needed.insert(plan.logitsValue) }
        for step in plan.steps.reversed() where needed.contains(step.output) {
            for input in step.inputs where downstream.contains(input) { needed.insert(input) }
        }
        guard needed.contains(target) else {
            throw EngineError.notATargetLayer(plan.values[target].name, reason: "the class score does not depend on it")
        }
        self.target = target
        steps = plan.steps.indices.reversed().filter { index in
            let step = plan.steps[index]
            return step.op != nil && needed.contains(step.output) && step.inputs.contains(where: needed.contains)
        }
        gradientValues = needed.sorted()
    }
}
