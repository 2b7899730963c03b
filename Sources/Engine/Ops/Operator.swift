/// A compiled operator: static attributes and shapes fixed for one batch size.
///
/// Each operator keeps its forward and backward side by side in one file (llm.c style),
/// with the shapes in its doc comment. Backward passes only propagate to inputs
/// (no weight gradients) and accumulate with `+=`, because a value that feeds several
/// consumers (a residual branch) receives the sum of their gradients.
protocol Operator: Sendable {
    /// Floats of per-worker scratch memory that forward or backward needs (im2col columns),
    /// for the first thread when the operator splits its work (StepIO.parallelism).
    var scratchCount: Int { get }
    /// Floats each other thread needs, at most `scratchCount`: what only the first thread uses
    /// (backward's column matrix, 1.8 MB for a 3x3 layer at 14 x 14) is not given to the others.
    var helperScratchCount: Int { get }
    /// Floats any thread needs in forward alone, at most `helperScratchCount`: a session whose
    /// backward passes never reach this step gives it no more (ScratchLayout).
    var forwardScratchCount: Int { get }
    /// Inputs whose memory forward may write its output into: forward reads element i of such
    /// an input only to write element i of the output, so MemoryPlan gives the output that
    /// input's buffer when nothing reads the input later (`Add` of a residual, a lone ReLU).
    var inPlaceInputs: [Int] { get }
    func forward(_ io: StepIO)
    /// Adds d(score)/d(input) into `io.inputGradient(i)` for every input that has one.
    func backward(_ io: StepIO)
}

extension Operator {
    var scratchCount: Int { 0 }
    var helperScratchCount: Int { scratchCount }
    var forwardScratchCount: Int { helperScratchCount }
    var inPlaceInputs: [Int] { [] }
}

/// The memory one step reads and writes, resolved through the worker's pointer tables.
///
/// Built on the stack for each step: it only indexes tables the workspace built once,
/// so running a plan allocates nothing.
struct StepIO {
    let inputIDs: [Int]
    let outputID: Int
    let values: UnsafePointer<UnsafeMutablePointer<Float>>
    let gradients: UnsafePointer<UnsafeMutablePointer<Float>?>
    let scratch: UnsafeMutablePointer<Float>
    /// Threads an operator may split its work over: the first with `scratchPerThread` floats of
    /// scratch, each other with `scratchPerHelper`, laid out in that order.
    var parallelism = Parallelism.serial
    var scratchPerThread = 0
    var scratchPerHelper = 0

    /// Thread `t`'s scratch; thread 0's is `scratch`.
    func scratch(forThread t: Int) -> UnsafeMutablePointer<Float> {
        t == 0 ? scratch : scratch + scratchPerThread + (t - 1) * scratchPerHelper
    }

    var inputCount: Int { inputIDs.count }
    func input(_ index: Int) -> UnsafePointer<Float> { UnsafePointer(values[inputIDs[index]]) }
    var output: UnsafeMutablePointer<Float> { values[outputID] }
    func inputGradient(_ index: Int) -> UnsafeMutablePointer<Float>? { gradients[inputIDs[index]] }
    /// Only called in backward, where the planner gave the output a gradient buffer.
    var outputGradient: UnsafePointer<Float> { UnsafePointer(gradients[outputID]!) }
    /// The output's gradient, writable: a step's backward is the last to read it (its lifetime
    /// ends there in GradientMemoryPlan, and the target's producer never runs backward), so the
    /// operator may transform it in place instead of copying it to scratch.
    var consumedOutputGradient: UnsafeMutablePointer<Float> { gradients[outputID]! }
}
