import ONNX

/// Builds the runtime operator for each supported ONNX op, with its output shape.
extension GraphCompiler {
    mutating func addRuntimeNode(_ node: ONNXNode) throws {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: node.opType, reason: reason) }
        guard let outputName = node.outputs.first, !outputName.isEmpty else { throw fail("the node has no output") }
        func runtimeInput(_ i: Int) throws -> Int {
            guard i < node.inputs.count, !node.inputs[i].isEmpty else { throw fail("input \(i) is missing") }
            return try slot(for: node.inputs[i], node: node)
        }
        func shape(_ id: Int) -> [Int] { values[id].shape }

        switch node.opType {
        case "Conv":
            try addConv(node)

        case "BatchNormalization":
            let x = try runtimeInput(0)
            let (scale, shift) = try batchNormAffine(node)
            let dims = shape(x)
            guard dims.count >= 2, dims[1] == scale.count else { throw fail("BatchNormalization of \(dims) with \(scale.count) channels") }
            let op = ChannelAffine(batch: dims[0], channels: dims[1], spatial: dims.dropFirst(2).reduce(1, *), scale: scale, shift: shift)
            addStep(node, op: op, inputs: [x], output: addActivation(outputName, shape: dims))

        case "Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish":
            let x = try runtimeInput(0)
            let kind = try activationKind(node)
            addStep(node, op: Activation(kind: kind, count: values[x].count), inputs: [x], output: addActivation(outputName, shape: shape(x)))

        case "Add", "Sub", "Mul", "Div":
            let a = try runtimeInput(0), b = try runtimeInput(1)
            guard let layout = BroadcastLayout(shape(a), shape(b)) else { throw fail("shapes \(shape(a)) and \(shape(b)) do not broadcast") }
            let kind: BroadcastBinary.Kind = ["Add": .add, "Sub": .sub, "Mul": .mul, "Div": .div][node.opType]!
            // ResNet's block ends in Add then ReLU: one pass instead of two, and one tensor fewer.
            let fused = fusableClamp(reading: outputName)
            if let fused { fusedClamps[outputName] = fused.output }
            addStep(node, op: BroadcastBinary(kind: kind, layout: layout, clamp: fused?.clamp), inputs: [a, b],
                    output: addActivation(fused?.output ?? outputName, shape: layout.outputShape),
                    opType: fused.map { "\(node.opType)+\($0.opType)" })

        case "Concat":
            let ids = try node.inputs.indices.map(runtimeInput)
            let first = shape(ids[0])
            let axis = try ShapeInference.axis(Int(try node.int("axis") ?? 0), rank: first.count)
            for id in ids where shape(id).count != first.count || zip(shape(id), first).enumerated().contains(where: { $0.offset != axis && $0.element.0 != $0.element.1 }) {
                throw fail("cannot concatenate \(ids.map(shape)) along axis \(axis)")
            }
            var out = first
            out[axis] = ids.map { shape($0)[axis] }.reduce(0, +)
            let outer = first.prefix(axis).reduce(1, *), inner = first.dropFirst(axis + 1).reduce(1, *)
            let op = Concat(outer: outer, blockSizes: ids.map { shape($0)[axis] * inner })
            addStep(node, op: op, inputs: ids, output: addActivation(outputName, shape: out))

        case "MaxPool", "AveragePool":
            try addPool(node)

        case "GlobalAveragePool":
            let x = try runtimeInput(0)
            let dims = shape(x)
            guard dims.count >= 3 else { throw fail("GlobalAveragePool needs rank >= 3, got \(dims)") }
            let op = GlobalAveragePool(planes: dims[0] * dims[1], planeSize: dims.dropFirst(2).reduce(1, *))
            addStep(node, op: op, inputs: [x], output: addActivation(outputName, shape: [dims[0], dims[1]] + Array(repeating: 1, count: dims.count - 2)))

        case "ReduceMean":
            let x = try runtimeInput(0)
            let dims = shape(x)
            let axesValue: [Int]? = opset >= 18
                ? try (node.inputs.count > 1 && !node.inputs[1].isEmpty ? constant(node.inputs[1])?.intValues : nil)
                : try node.ints("axes")?.map(Int.init)
            let axes = Set(try (axesValue ?? Array(0..<dims.count)).map { try ShapeInference.axis($0, rank: dims.count) })
            // Only the spatial mean that closes a CNN (axes H and W) is an operator here.
            guard dims.count == 4, axes == [2, 3] else { throw fail("ReduceMean over axes \(axes.sorted()) of \(dims); only the spatial axes [2, 3] are supported") }
            let keep = (try node.int("keepdims") ?? 1) != 0
            let op = GlobalAveragePool(planes: dims[0] * dims[1], planeSize: dims[2] * dims[3])
            addStep(node, op: op, inputs: [x], output: addActivation(outputName, shape: keep ? [dims[0], dims[1], 1, 1] : [dims[0], dims[1]]))

        case "Identity", "Dropout", "Flatten", "Reshape", "Squeeze", "Unsqueeze":
            let x = try runtimeInput(0)
            if node.opType == "Dropout", node.outputs.count > 1, !node.outputs[1].isEmpty {
                throw fail("Dropout's mask output is not supported")
            }
            addStep(node, op: nil, inputs: [x], output: addView(outputName, shape: try viewShape(node, input: shape(x)), of: x))

        case "Transpose":
            let x = try runtimeInput(0)
            let dims = shape(x)
            let perm = try node.ints("perm").map { $0.map(Int.init) } ?? Array((0..<dims.count).reversed())
            guard perm.sorted() == Array(0..<dims.count) else { throw fail("bad permutation \(perm) for rank \(dims.count)") }
            addStep(node, op: Transpose(inputShape: dims, permutation: perm), inputs: [x], output: addActivation(outputName, shape: perm.map { dims[$0] }))

        case "Gemm":
            try addGemm(node)

        case "MatMul":
            try addMatMul(node)

        case "Softmax":
            let x = try runtimeInput(0)
            let dims = shape(x)
            let axis = try ShapeInference.axis(Int(try node.int("axis") ?? (opset >= 13 ? -1 : 1)), rank: dims.count)
            // Opset 13 normalises one axis; before, the flattened tail from `axis`. Both are contiguous rows
            // when the axis is the last one (13+) or for the old tail semantics.
            guard opset < 13 || axis == dims.count - 1 else { throw fail("Softmax over axis \(axis) that is not the last") }
            let rows = dims.prefix(axis).reduce(1, *)
            addStep(node, op: Softmax(rows: rows, axisSize: values[x].count / max(rows, 1)), inputs: [x], output: addActivation(outputName, shape: dims))

        case "Pad":
            try addPad(node)

        default:
            throw EngineError.unsupportedOperator(node: node.name, opType: node.opType)
        }
    }

    func activationKind(_ node: ONNXNode) throws -> Activation.Kind {
        switch node.opType {
        case "Relu": return .relu
        case "LeakyRelu": return .leakyRelu(alpha: try node.float("alpha") ?? 0.01)
        case "Sigmoid": return .sigmoid
        case "HardSwish": return .hardSwish
        case "HardSigmoid": return .hardSigmoid(alpha: try node.float("alpha") ?? 0.2, beta: try node.float("beta") ?? 0.5)
        default:
            // Clip: attributes before opset 11, optional inputs after.
            var lo = -Float.infinity, hi = Float.infinity
            if opset < 11 {
                lo = try node.float("min") ?? lo; hi = try node.float("max") ?? hi
            } else {
                var compiler = self
                if node.inputs.count > 1, !node.inputs[1].isEmpty {
                    guard let v = try compiler.constant(node.inputs[1])?.floats.first else { throw EngineError.invalidNode(node: node.name, opType: "Clip", reason: "min must be a constant") }
                    lo = v
                }
                if node.inputs.count > 2, !node.inputs[2].isEmpty {
                    guard let v = try compiler.constant(node.inputs[2])?.floats.first else { throw EngineError.invalidNode(node: node.name, opType: "Clip", reason: "max must be a constant") }
                    hi = v
                }
            }
            return .clip(min: lo, max: hi)
        }
    }

    private mutating func viewShape(_ node: ONNXNode, input: [Int]) throws -> [Int] {
        switch node.opType {
        case "Flatten":
            let axis = Int(try node.int("axis") ?? 1)
            return ShapeInference.flatten(input, axis: try ShapeInference.axis(axis, rank: input.count + 1))
        case "Reshape":
            let target: [Int]
            if opset >= 5 {
                guard node.inputs.count > 1, let shapeValue = try constant(node.inputs[1]) else {
                    throw EngineError.invalidNode(node: node.name, opType: node.opType, reason: "the target shape is not a constant")
                }
                target = shapeValue.intValues
            } else {
                target = try node.ints("shape")?.map(Int.init) ?? []
            }
            return try ShapeInference.reshape(input, to: target, allowZero: try node.int("allowzero") == 1)
        case "Squeeze", "Unsqueeze":
            let axes: [Int]?
            if opset >= 13 {
                axes = node.inputs.count > 1 && !node.inputs[1].isEmpty ? try constant(node.inputs[1])?.intValues : nil
            } else {
                axes = try node.ints("axes")?.map(Int.init)
            }
            return node.opType == "Squeeze" ? try ShapeInference.squeeze(input, axes: axes)
                                            : try ShapeInference.unsqueeze(input, axes: axes ?? [])
        default:
            return input
        }
    }
}
