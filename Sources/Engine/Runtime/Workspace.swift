import Dispatch
import Tensor

/// One worker's memory for one plan: the activation arena, the gradient arena, im2col
/// scratch, and the pointer tables that StepIO indexes. Built once and reused for every run.
final class Workspace {
    let plan: ExecutionPlan
    let activations: FloatBuffer
    let gradients: FloatBuffer
    let scratch: FloatBuffer
    let valuePointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    let gradientPointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>

    init(plan: ExecutionPlan, weights: WeightStore) {
        self.plan = plan
        activations = FloatBuffer(count: plan.activationFloats)
        gradients = FloatBuffer(count: plan.activationFloats)
        scratch = FloatBuffer(count: plan.scratchFloats)
        valuePointers = .allocate(capacity: max(plan.values.count, 1))
        gradientPointers = .allocate(capacity: max(plan.values.count, 1))
        for (id, slot) in plan.values.enumerated() {
            switch slot.storage {
            case .activation(let offset): valuePointers[id] = activations.pointer + offset
            case .constant(let buffer): valuePointers[id] = weights.pointer(ofBuffer: buffer)
            }
        }
        gradientPointers.initialize(repeating: nil, count: max(plan.values.count, 1))
    }

    deinit {
        valuePointers.deallocate()
        gradientPointers.deallocate()
    }

    func io(for step: Step) -> StepIO {
        StepIO(inputIDs: step.inputs, outputID: step.output, values: valuePointers,
               gradients: gradientPointers, scratch: scratch.pointer)
    }

    func forward() {
        for step in plan.steps {
            step.op?.forward(io(for: step))
        }
    }

    /// Forward with each step timed: milliseconds per operator type, for `bench --profile`.
    func profiledForward() -> [String: Double] {
        var totals = [String: Double]()
        for step in plan.steps {
            let start = DispatchTime.now().uptimeNanoseconds
            step.op?.forward(io(for: step))
            let key = step.op.map { "\(step.opType) (\(($0 as? Conv)?.kernelFamily ?? "\(type(of: $0))"))" } ?? "\(step.opType) (view)"
            totals[key, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        return totals
    }

    /// Runs the steps of a backward plan, after pointing the gradient table at its values
    /// and zeroing their gradient memory (values outside the plan get no gradient).
    func backward(_ backward: BackwardPlan, seed: (UnsafeMutablePointer<Float>) -> Void) {
        for id in 0..<plan.values.count { gradientPointers[id] = nil }
        for id in backward.gradientValues {
            guard case .activation(let offset) = plan.values[id].storage else { continue }
            gradientPointers[id] = gradients.pointer + offset
            gradients.zero(offset: offset, count: plan.values[id].count)
        }
        seed(gradientPointers[plan.logitsValue]!)
        for index in backward.steps {
            let step = plan.steps[index]
            step.op?.backward(io(for: step))
        }
    }

    func values(of id: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: valuePointers[id], count: plan.values[id].count)
    }

    func gradient(of id: Int) -> UnsafeBufferPointer<Float>? {
        gradientPointers[id].map { UnsafeBufferPointer(start: $0, count: plan.values[id].count) }
    }
}
