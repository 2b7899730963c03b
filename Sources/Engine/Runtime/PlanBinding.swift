import Dispatch
import Tensor

/// One session's way of running a plan with one layer's gradient path retained (or none):
/// its memory plans, and the pointer tables that StepIO indexes, built against the batch's
/// Workspace. Tables are rebuilt only when the workspace's arenas grow, so a warm binding
/// runs forward and backward without allocating.
final class PlanBinding {
    let workspace: Workspace
    /// The layer whose gradient path the forward pass keeps; nil keeps only the logits.
    let layer: String?
    let memory: MemoryPlan
    let backward: BackwardPlan?
    let gradientMemory: GradientMemoryPlan?
    private let valuePointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    private let gradientPointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>
    private var boundGeneration = -1

    var plan: ExecutionPlan { workspace.plan }

    /// `target`: the value ID of `layer`, already checked to be a feature map.
    init(workspace: Workspace, layer: String?, target: Int?) throws(EngineError) {
        let plan = workspace.plan
        self.workspace = workspace
        self.layer = layer
        if let target, let layer {
            let backward: BackwardPlan
            do { backward = try BackwardPlan(plan: plan, target: target) }
            catch let error as EngineError { throw error } catch { throw .unknownLayer(layer) }
            self.backward = backward
            memory = MemoryPlan(plan: plan, retained: MemoryPlan.retained(by: backward, in: plan))
            gradientMemory = GradientMemoryPlan(plan: plan, backward: backward)
        } else {
            backward = nil
            memory = MemoryPlan(plan: plan, retained: [])
            gradientMemory = nil
        }
        let count = max(plan.values.count, 1)
        valuePointers = .allocate(capacity: count)
        gradientPointers = .allocate(capacity: count)
        gradientPointers.initialize(repeating: nil, count: count)
        workspace.reserve(activationFloats: memory.floats, gradientFloats: gradientMemory?.floats ?? 0)
        workspace.reserve(scratch: ScratchLayout(plan: plan, backwardSteps: backward?.steps ?? []))
    }

    deinit {
        valuePointers.deallocate()
        gradientPointers.deallocate()
    }

    /// Points the tables at the workspace's current arenas, if they moved since the last run.
    private func bind() {
        guard boundGeneration != workspace.generation else { return }
        let activations = workspace.activations.pointer, gradients = workspace.gradients.pointer
        for (id, slot) in plan.values.enumerated() {
            if case .constant(let buffer) = slot.storage {
                valuePointers[id] = workspace.weights.pointer(ofBuffer: buffer)
            } else {
                // Every activation and view has an offset in the memory plan.
                valuePointers[id] = activations + memory.offsets[id]!
            }
            gradientPointers[id] = gradientMemory?.offsets[id].map { gradients + $0 }
        }
        boundGeneration = workspace.generation
    }

    private func io(for step: Step) -> StepIO {
        StepIO(inputIDs: step.inputs, outputID: step.output, values: valuePointers,
               gradients: gradientPointers, scratch: workspace.scratch.pointer,
               parallelism: workspace.parallelism.forNextOperator(), scratchPerThread: workspace.scratchLayout.first,
               scratchPerHelper: workspace.scratchLayout.helper)
    }

    /// Copies `input` (already checked to be the graph input's size) in and runs every step.
    func forward(_ input: UnsafePointer<Float>) {
        bind()
        valuePointers[plan.inputValue].update(from: input, count: plan.values[plan.inputValue].count)
        for step in plan.steps { step.op?.forward(io(for: step)) }
    }

    /// Forward with each step timed: milliseconds per operator type (and convolution shape with
    /// `byShape`), for `bench --profile`.
    /// Runs on whatever the arena holds (the last input), which is enough for timing.
    func profiledForward(byShape: Bool = false) -> [String: Double] {
        bind()
        var totals = [String: Double]()
        for step in plan.steps {
            let start = DispatchTime.now().uptimeNanoseconds
            step.op?.forward(io(for: step))
            totals[Self.profileKey(step, byShape: byShape), default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        return totals
    }

    /// "Conv+Relu (winograd)", "Add (BroadcastBinary)", "Flatten (view)": the step and its kernel;
    /// `byShape` adds a convolution's shape: "Conv (pointwise) 256->1024 1x1/1 14x14" (channels,
    /// kernel / stride, output plane).
    static func profileKey(_ step: Step, byShape: Bool = false) -> String {
        let key = step.op.map { "\(step.opType) (\(($0 as? Conv)?.kernelFamily ?? "\(type(of: $0))"))" } ?? "\(step.opType) (view)"
        guard byShape, let g = (step.op as? Conv)?.geometry else { return key }
        return key + " \(g.inputChannels)->\(g.outputChannels) \(g.kernelHeight)x\(g.kernelWidth)/\(g.strideHeight) \(g.outputHeight)x\(g.outputWidth)"
    }

    /// Runs the backward plan after `forward`: zeroes each gradient buffer as its lifetime
    /// begins, lets `seed` add d(score)/d(logits), then runs the steps in reverse order.
    /// Returns false if this binding retained no gradient path.
    /// With `timed`, each step's milliseconds are reported (for `bench --profile`).
    func runBackward(seed: (UnsafeMutablePointer<Float>) -> Void, timed: ((Step, Double) -> Void)? = nil) -> Bool {
        guard let backward, let gradientMemory, let logits = gradientPointers[plan.logitsValue] else { return false }
        let gradients = workspace.gradients
        func clear(at time: Int) {
            for buffer in gradientMemory.clears[time] { gradients.zero(offset: buffer.offset, count: buffer.floats) }
        }
        clear(at: 0)
        seed(logits)
        for (k, index) in backward.steps.enumerated() {
            clear(at: k + 1)
            let step = plan.steps[index]
            guard let timed else {
                step.op?.backward(io(for: step))
                continue
            }
            let start = DispatchTime.now().uptimeNanoseconds
            step.op?.backward(io(for: step))
            timed(step, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return true
    }

    func values(of id: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: valuePointers[id], count: plan.values[id].count)
    }

    func gradient(of id: Int) -> UnsafeBufferPointer<Float>? {
        gradientPointers[id].map { UnsafeBufferPointer(start: $0, count: plan.values[id].count) }
    }
}
