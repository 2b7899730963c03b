/// Where the gradients of one BackwardPlan live in the gradient arena.
///
/// Only values on the backward path get a gradient, and a view's gradient shares its
/// source's, as their values do. Gradient buffers are placed by the same allocator as
/// activations, over backward time: time 0 is the seed, and the k-th backward step runs at
/// time k + 1. A gradient lives from the first step that touches it (a consumer adding into
/// it, or the seed for the logits) to the step that reads it (its producer's backward); the
/// target's gradient lives to the end, since the caller reads it. A shared buffer holds
/// another value's stale gradient, so each buffer is zeroed when its lifetime begins, not
/// once up front.
struct GradientMemoryPlan: Sendable {
    /// A buffer to clear: the value that owns it (a root), its offset and floats.
    struct Clear: Sendable, Equatable { let value: Int; let offset: Int; let floats: Int }

    /// Each value's offset in the gradient arena; nil for values without a gradient.
    let offsets: [Int?]
    /// Each value's gradient lifetime, in backward time; nil for values without a gradient.
    let lifetimes: [ClosedRange<Int>?]
    /// clears[t]: the buffers to zero before time t (the seed, then each backward step).
    let clears: [[Clear]]
    let floats: Int

    init(plan: ExecutionPlan, backward: BackwardPlan) {
        let end = backward.steps.count + 1
        var roots = Set<Int>()
        for id in backward.gradientValues { if let root = plan.root(of: id) { roots.insert(root) } }
        var first = [Int: Int](), last = [Int: Int]()
        func touch(_ id: Int, at time: Int) {
            guard let root = plan.root(of: id), roots.contains(root) else { return }
            first[root] = min(first[root] ?? time, time)
            last[root] = max(last[root] ?? time, time)
        }
        touch(plan.logitsValue, at: 0)
        for (k, index) in backward.steps.enumerated() {
            let step = plan.steps[index]
            for id in step.inputs + [step.output] { touch(id, at: k + 1) }
        }
        touch(backward.target, at: end)

        let placement = RootPlacement(roots: roots, first: first, last: last, in: plan)
        var clears = [[Clear]](repeating: [], count: end)
        for root in placement.roots {
            let offset = placement.offsets[root]!, start = placement.lifetimes[root]!.lowerBound
            if start < end { clears[start].append(Clear(value: root, offset: offset, floats: plan.values[root].count)) }
        }
        let gradientValues = Set(backward.gradientValues)
        offsets = placement.perValue(placement.offsets, in: plan, includes: gradientValues.contains)
        lifetimes = placement.perValue(placement.lifetimes, in: plan, includes: gradientValues.contains)
        self.clears = clears
        floats = placement.floats
    }
}
