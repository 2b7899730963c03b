/// Where each activation of a plan lives in the activation arena, for one set of retained
/// values: buffers whose lifetimes do not overlap share memory.
///
/// Time 0 is before the first step; step s runs at time s + 1. A buffer lives from the time
/// its value is written (0 for the graph input) to the last step that reads it, or any view
/// of it, since a view only renames its source's memory. The logits and every retained
/// value live to the end (time steps.count + 1): the caller reads the logits, and backward
/// reads the retained values after the forward pass is over.
///
/// A step whose operator can run in place (`Operator.inPlaceInputs`) writes its output into
/// such an input's buffer when that input is read by nothing later: ResNet's Add writes over
/// the branch it adds, which it was the last to read. The output then joins the input's
/// buffer, which lives on to the output's own last reader.
struct MemoryPlan: Sendable {
    let retained: Set<Int>
    /// Each value's offset in the arena (a view shares its source's); nil for constants.
    let offsets: [Int?]
    /// Each value's lifetime: that of the buffer it lives in; nil for constants.
    let lifetimes: [ClosedRange<Int>?]
    /// The value whose buffer each value lives in: its root, or the value a chain of in-place
    /// steps started from; nil for constants.
    let owners: [Int?]
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

        let owner = Self.inPlaceOwners(plan, last: last)
        var bufferLast = [Int: Int]()
        for (root, time) in last { bufferLast[owner[root] ?? root] = max(bufferLast[owner[root] ?? root] ?? 0, time) }
        let buffers = first.keys.filter { owner[$0] == nil }
        let placement = RootPlacement(roots: buffers, first: first, last: bufferLast, in: plan)
        let owners = plan.values.indices.map { id in plan.root(of: id).map { owner[$0] ?? $0 } }
        offsets = owners.map { $0.flatMap { placement.offsets[$0] } }
        lifetimes = owners.map { $0.flatMap { placement.lifetimes[$0] } }
        self.owners = owners
        floats = placement.floats
    }

    /// For each output a step writes in place, the value that owns the buffer it takes over.
    /// An input qualifies when the step is its last reader (so it is not retained, not the
    /// logits), it is not the graph input (the caller's image), it has the output's size, and
    /// the step reads it through one operand only (one element read per element written).
    private static func inPlaceOwners(_ plan: ExecutionPlan, last: [Int: Int]) -> [Int: Int] {
        var owner = [Int: Int]()
        for (s, step) in plan.steps.enumerated() {
            guard let op = step.op, case .activation = plan.values[step.output].storage else { continue }
            let roots = step.inputs.map(plan.root(of:))
            for index in op.inPlaceInputs {
                guard let root = roots[index], root != plan.inputValue, last[root] == s + 1,
                      plan.values[root].count == plan.values[step.output].count,
                      roots.count(where: { $0 == root }) == 1 else { continue }
                owner[step.output] = owner[root] ?? root
                break
            }
        }
        return owner
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
