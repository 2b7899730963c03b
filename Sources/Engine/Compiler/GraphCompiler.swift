import ONNX

/// Turns an ONNX graph into an ExecutionPlan for one batch size.
///
/// Nodes are visited in the graph's (topological) order. A node whose inputs are all known
/// is folded into a constant; Shape of a runtime value is known too, since every shape is
/// resolved for this batch. Everything else becomes a runtime step whose output shape is
/// inferred here, so a plan never meets an unknown shape while running.
struct GraphCompiler {
    let model: ONNXModel
    let batch: Int
    let opset: Int64
    let weights: WeightStore

    private(set) var values: [ValueSlot] = []
    private(set) var valueIndex: [String: Int] = [:]
    private(set) var steps: [Step] = []
    private var constants: [String: ConstantValue] = [:]
    private var initializers: [String: ONNXTensor] = [:]
    private var batchNormFolds: BatchNormFolds
    /// Zero Pad nodes merged into the Conv(s) that read them: Pad output -> (Pad input, pads).
    var padFolds: [String: (source: String, pads: [Int])] = [:]
    /// ReLU/Clip nodes run inside the Conv before them: pre-activation value -> activation output.
    var fusedClamps: [String: String] = [:]
    /// Residual Add nodes run inside the Conv that produces one operand: Add output -> that Conv's output.
    var fusedResidualAdds: [String: String] = [:]
    /// How many nodes read each value, and whether only Convs do (as their data input).
    let readers: [String: [ONNXNode]]
    /// Constant nodes by output name, so a fused Clip can read bounds defined after the Conv.
    let constantNodes: [String: ONNXNode]

    init(model: ONNXModel, batch: Int, weights: WeightStore) throws {
        self.model = model
        self.batch = batch
        self.weights = weights
        opset = model.opsetVersion(forDomain: "") ?? 0
        for tensor in model.graph.initializers { initializers[tensor.name] = tensor }
        batchNormFolds = BatchNormFolds(graph: model.graph)
        var readers = [String: [ONNXNode]]()
        for node in model.graph.nodes { for input in node.inputs where !input.isEmpty { readers[input, default: []].append(node) } }
        self.readers = readers
        var constantNodes = [String: ONNXNode]()
        for node in model.graph.nodes where node.opType == "Constant" { for output in node.outputs { constantNodes[output] = node } }
        self.constantNodes = constantNodes
    }

    mutating func compile() throws -> ExecutionPlan {
        let input = try addGraphInput()
        for node in model.graph.nodes where !batchNormFolds.isAbsorbed(node) && !isFusedClamp(node) && !isFusedResidualAdd(node) {
            try visit(node)
        }
        guard let output = model.graph.outputs.first else {
            throw EngineError.unsupportedInput(name: model.graph.name, reason: "the graph has no output")
        }
        guard let outputValue = valueIndex[output.name] else {
            throw EngineError.unsupportedInput(name: output.name, reason: "the output does not depend on the input")
        }
        var logits = outputValue
        // The score Grad-CAM differentiates is the pre-softmax logit (Selvaraju et al., Sec. 3).
        if let last = steps.last(where: { $0.output == outputValue }), last.opType == "Softmax" { logits = last.inputs[0] }
        return ExecutionPlan(batch: batch, values: values, steps: steps, valueIndex: valueIndex, inputValue: input,
                             logitsValue: logits, outputValue: outputValue, foldedValues: foldedValueReasons())
    }

    private func isFusedClamp(_ node: ONNXNode) -> Bool {
        node.inputs.first.map { fusedClamps[$0] == node.outputs.first } ?? false
    }

    private func isFusedResidualAdd(_ node: ONNXNode) -> Bool {
        node.opType == "Add" && node.outputs.count == 1 && fusedResidualAdds[node.outputs[0]] != nil
    }

    /// What a Conv's output became once the Add and the activation fused into its step.
    private func storedOutput(of value: String) -> String {
        let added = fusedResidualAdds.first { $0.value == value }?.key ?? value
        return fusedClamps[added] ?? added
    }

    /// Why each value that was folded away cannot be a target layer, and what to target instead.
    private func foldedValueReasons() -> [String: String] {
        var reasons = [String: String]()
        for (convOutput, batchNormOutput) in batchNormFolds.replacedOutputs {
            reasons[convOutput] = "it was folded with its BatchNormalization into the Conv; target '\(storedOutput(of: batchNormOutput))' instead"
        }
        for (sum, convOutput) in fusedResidualAdds {
            reasons[convOutput] = "the residual Add after it runs inside the step that produces it, so it is never stored; target '\(fusedClamps[sum] ?? sum)' instead"
        }
        for (preActivation, output) in fusedClamps {
            reasons[preActivation] = "the ReLU/Clip after it runs inside the step that produces it, so it is never stored; target '\(output)' instead"
        }
        for name in padFolds.keys { reasons[name] = "the zero Pad was folded into the Conv that reads it" }
        return reasons
    }

    // MARK: - Values

    private mutating func addGraphInput() throws -> Int {
        guard let input = model.graph.runtimeInputs.first else {
            throw EngineError.unsupportedInput(name: model.graph.name, reason: "the graph has no input that is not a weight")
        }
        guard model.graph.runtimeInputs.count == 1 else {
            throw EngineError.unsupportedInput(name: input.name, reason: "the graph has \(model.graph.runtimeInputs.count) inputs; one image input is supported")
        }
        guard input.elementType == .float else {
            throw EngineError.unsupportedInput(name: input.name, reason: "element type \(input.elementType.map { "\($0)" } ?? "unknown") is not float")
        }
        guard let dims = input.shape, dims.count == 4 else {
            throw EngineError.unsupportedInput(name: input.name, reason: "expected a rank-4 NCHW tensor, got rank \(input.shape?.count ?? 0)")
        }
        var shape = [batch]
        for (axis, dim) in dims.enumerated().dropFirst() {
            guard case .value(let size) = dim, size > 0 else {
                throw EngineError.unsupportedInput(name: input.name, reason: "dimension \(axis) has no fixed size (\(dim)); the spatial size must be known")
            }
            shape.append(size)
        }
        if case .value(let fixed) = dims[0], fixed != batch {
            throw EngineError.unsupportedBatch(batch, reason: "the model's input has a fixed batch of \(fixed)")
        }
        return addActivation(input.name, shape: shape)
    }

    mutating func addActivation(_ name: String, shape: [Int]) -> Int {
        register(ValueSlot(name: name, shape: shape, storage: .activation))
    }

    /// A value that shares its source's memory (Reshape and friends). A view of a view points
    /// at the memory's owner, so the memory planner sees every alias of one buffer directly.
    mutating func addView(_ name: String, shape: [Int], of source: Int) -> Int {
        let storage: ValueSlot.Storage = switch values[source].storage {
        case .activation: .view(of: source)
        case .view(let root): .view(of: root)
        case .constant(let buffer): .constant(buffer: buffer)
        }
        return register(ValueSlot(name: name, shape: shape, storage: storage))
    }

    private mutating func register(_ slot: ValueSlot) -> Int {
        values.append(slot)
        valueIndex[slot.name] = values.count - 1
        return values.count - 1
    }

    /// `opType` names a fused step ("Conv+Relu"); by default the node's own.
    mutating func addStep(_ node: ONNXNode, op: (any Operator)?, inputs: [Int], output: Int, opType: String? = nil) {
        steps.append(Step(nodeName: node.name, opType: opType ?? node.opType, op: op, inputs: inputs, output: output))
    }

    /// The compile-time value of `name`, if it is an initializer or was folded.
    mutating func constant(_ name: String) throws -> ConstantValue? {
        guard let value = try convertedConstant(name) else { return nil }
        if value.count <= 4096 { constants[name] = value }
        return value
    }

    /// The same without caching. A large initializer is converted once per use here and its
    /// mapped file pages are handed back at once, so loading a model needs about one copy of
    /// its weights in memory, not the mapping plus the copy.
    func convertedConstant(_ name: String) throws -> ConstantValue? {
        if name.isEmpty { return nil }
        if let value = constants[name] { return value }
        guard let tensor = initializers[name] else { return nil }
        let value = try ConstantValue(onnx: tensor)
        tensor.releaseRawStorage()
        return value
    }

    /// A constant's shape, without converting its data.
    func constantShape(_ name: String) -> [Int]? {
        constants[name]?.shape ?? initializers[name]?.dims
    }

    func isRuntime(_ name: String) -> Bool { valueIndex[name] != nil }

    /// The slot a runtime operator reads: an activation, or a constant moved into the weight store.
    mutating func slot(for name: String, node: ONNXNode) throws -> Int {
        if let id = valueIndex[name] { return id }
        guard let shape = constantShape(name) else {
            throw EngineError.invalidNode(node: node.name, opType: node.opType, reason: "input '\(name)' is not produced by any earlier node")
        }
        // Looked up before converting: plans for other batch sizes reuse the stored copy.
        let buffer = try weights.constantBuffer("const:" + name) { try convertedConstant(name)?.floats ?? [] }
        return register(ValueSlot(name: name, shape: shape, storage: .constant(buffer: buffer)))
    }

    // MARK: - Nodes

    private mutating func visit(_ node: ONNXNode) throws {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw EngineError.unsupportedOperator(node: node.name, opType: "\(node.domain).\(node.opType)")
        }
        if node.opType == "Constant" {
            try foldConstantNode(node)
            return
        }
        let present = node.inputs.filter { !$0.isEmpty }
        if present.allSatisfy({ !isRuntime($0) }) && !present.isEmpty || node.opType == "Shape" {
            let inputs: [ConstantValue?] = try node.inputs.map { name in
                if node.opType == "Shape", let id = valueIndex[name] {
                    return ConstantValue(shape: values[id].shape, ints: [])
                }
                return try constant(name)
            }
            let folded: [ConstantValue]?
            do { folded = try ConstantFolder.fold(node, inputs, opset: opset) }
            catch let failure as ShapeInference.Failure {
                throw EngineError.invalidNode(node: node.name, opType: node.opType, reason: failure.reason)
            }
            if let folded {
                for (name, value) in zip(node.outputs, folded) where !name.isEmpty { constants[name] = value }
                return
            }
        }
        if node.opType == "Pad", try foldPadIntoConvs(node) { return }
        do { try addRuntimeNode(node) }
        catch let failure as ShapeInference.Failure {
            throw EngineError.invalidNode(node: node.name, opType: node.opType, reason: failure.reason)
        }
    }

    mutating func foldConstantNode(_ node: ONNXNode) throws {
        let value: ConstantValue
        if let tensor = try node.tensor("value") {
            value = try ConstantValue(onnx: tensor)
        } else if let f = try node.float("value_float") {
            value = ConstantValue(shape: [], floats: [f])
        } else if let fs = try node.floats("value_floats") {
            value = ConstantValue(shape: [fs.count], floats: fs)
        } else if let i = try node.int("value_int") {
            value = ConstantValue(shape: [], ints: [i])
        } else if let is_ = try node.ints("value_ints") {
            value = ConstantValue(shape: [is_.count], ints: is_)
        } else {
            throw EngineError.invalidNode(node: node.name, opType: node.opType, reason: "no supported value attribute")
        }
        if let name = node.outputs.first { constants[name] = value }
    }

    /// The fold of the BatchNormalization that follows `conv`, if any.
    func batchNormFold(after conv: ONNXNode) -> ONNXNode? { batchNormFolds.batchNorm(following: conv) }
}
