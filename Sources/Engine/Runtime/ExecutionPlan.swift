/// Where a value lives: in the worker's activation arena, or in the model's weight store.
struct ValueSlot: Sendable {
    enum Storage: Sendable, Equatable {
        case activation(offset: Int)
        case constant(buffer: Int)
    }

    let name: String
    let shape: [Int]
    let storage: Storage
    var count: Int { shape.reduce(1, *) }
}

/// One node of the compiled graph. A step without an operator is a view (Reshape, Flatten,
/// Identity, Dropout): its output shares its input's memory, so it runs nothing.
struct Step: Sendable {
    let nodeName: String
    let opType: String
    let op: (any Operator)?
    let inputs: [Int]
    let output: Int
}

/// The graph compiled for one batch size: shapes resolved, constants folded, BatchNorm folded
/// into convolutions, every activation given an offset in one arena.
final class ExecutionPlan: Sendable {
    let batch: Int
    let values: [ValueSlot]
    let steps: [Step]
    let valueIndex: [String: Int]
    let inputValue: Int
    /// The pre-softmax scores: the graph output, or the input of a final Softmax.
    let logitsValue: Int
    let outputValue: Int
    let activationFloats: Int
    let scratchFloats: Int
    /// Names of values that were folded away (a Conv's output before its BatchNorm) -> the value that replaced them.
    let foldedValues: [String: String]

    init(batch: Int, values: [ValueSlot], steps: [Step], valueIndex: [String: Int], inputValue: Int,
         logitsValue: Int, outputValue: Int, activationFloats: Int, scratchFloats: Int, foldedValues: [String: String]) {
        self.batch = batch; self.values = values; self.steps = steps; self.valueIndex = valueIndex
        self.inputValue = inputValue; self.logitsValue = logitsValue; self.outputValue = outputValue
        self.activationFloats = activationFloats; self.scratchFloats = scratchFloats; self.foldedValues = foldedValues
    }

    /// The step that produces each value, if any.
    var producers: [Int: Int] {
        var map = [Int: Int]()
        for (i, step) in steps.enumerated() { map[step.output] = i }
        return map
    }
}
