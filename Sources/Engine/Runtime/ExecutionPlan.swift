/// Where a value lives: in the worker's activation arena, in another value's memory, or in
/// the model's weight store. Arena offsets are not part of the compiled plan: a MemoryPlan
/// assigns them per set of retained values, so memory is reused once a value is dead.
struct ValueSlot: Sendable {
    enum Storage: Sendable, Equatable {
        /// Owns memory in the activation arena.
        case activation
        /// Shares the memory of `root`, an `.activation` value (never another view).
        case view(of: Int)
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
/// into convolutions. Where activations live is decided later, by a MemoryPlan.
final class ExecutionPlan: Sendable {
    let batch: Int
    let values: [ValueSlot]
    let steps: [Step]
    let valueIndex: [String: Int]
    let inputValue: Int
    /// The pre-softmax scores: the graph output, or the input of a final Softmax.
    let logitsValue: Int
    let outputValue: Int
    /// Names of values that were folded away (a Conv's output before its BatchNorm or ReLU) -> why, and what to target instead.
    let foldedValues: [String: String]

    init(batch: Int, values: [ValueSlot], steps: [Step], valueIndex: [String: Int], inputValue: Int,
         logitsValue: Int, outputValue: Int, foldedValues: [String: String]) {
        self.batch = batch; self.values = values; self.steps = steps; self.valueIndex = valueIndex
        self.inputValue = inputValue; self.logitsValue = logitsValue; self.outputValue = outputValue
        self.foldedValues = foldedValues
    }

    /// The value that owns `id`'s arena memory (itself, or a view's source); nil for constants.
    func root(of id: Int) -> Int? {
        switch values[id].storage {
        case .activation: id
        case .view(let root): root
        case .constant: nil
        }
    }

    /// The step that produces each value, if any.
    var producers: [Int: Int] {
        var map = [Int: Int]()
        for (i, step) in steps.enumerated() { map[step.output] = i }
        return map
    }
}
