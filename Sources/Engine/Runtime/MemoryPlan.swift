/// Where each activation of a plan lives in the activation arena, for one set of retained
/// values: buffers whose lifetimes do not overlap share memory.
///
/// Time 0 is before the first step; step s runs at time s + 1. A buffer lives from the time
/// its value is written (0 for the graph input) to the last step that reads it, or any view
/// of it, since a view only renames its source's memory. The logits and every retained
/// value live to the end (time steps.count + 1): the caller reads the logits, and backward
/// reads the retained values after the forward pass is over.
struct MemoryPlan: Sendable {
    let retained: Set<Int>
    /// Each value's offset in the arena (a view shares its source's); nil for constants.
    let offsets: [Int?]
    /// Each value's lifetime: that of the buffer it lives in; nil for constants.
    let lifetimes: [ClosedRange<Int>?]
    /// Floats the arena needs.
    let floats: Int

    init(plan: ExecutionPlan, retained: Set<Int>) {
        self.retained = retained
        let end = plan.steps.count + 1
        var first = [Int: Int](), last = [Int: Int]()
        first[plan.inputValue] = 0
        for (s, step) in plan.steps.enumerated() {
            for input in step.inputs { if let root = plan.root(of: input) { last[root] = max(last[root] ?? 0, s + 1) } }
            if case .activation = plan.values[step.output].storage { first[step.output] = s + 1 }
        }
        for id in retained.union([plan.logitsValue]) { if let root = plan.root(of: id) { last[root] = end } }

        let placement = RootPlacement(roots: first.keys, first: first, last: last, in: plan)
        offsets = placement.perValue(placement.offsets, in: plan)
        lifetimes = placement.perValue(placement.lifetimes, in: plan)
        floats = placement.floats
    }

    /// What backward needs kept after the forward pass: the target layer and every input and
    /// output of the steps it runs (each operator's backward reads some of them: the input of
    /// an activation, both operands of a product, the output of a softmax).
    static func retained(by backward: BackwardPlan, in plan: ExecutionPlan) -> Set<Int> {
        var retained: Set<Int> = [backward.target]
        for index in backward.steps {
            retained.formUnion(plan.steps[index].inputs)
            retained.insert(plan.steps[index].output)
        }
        return retained
    }
}
