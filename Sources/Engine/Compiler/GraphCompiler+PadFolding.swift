import ONNX

/// TF-style "same" padding exports as an explicit zero Pad in front of a Conv (EfficientNet's
/// static_padding). A zero pad of H and W is exactly what the Conv's own pads do, so the Pad
/// runs no step and the Conv reads its input with the pads added: one pass over memory
/// fewer, and no padded copy to store.
extension GraphCompiler {
    /// True when `node` was folded; false leaves it to run as an operator.
    mutating func foldPadIntoConvs(_ node: ONNXNode) throws -> Bool {
        guard let output = node.outputs.first, let source = node.inputs.first, let input = valueIndex[source],
              values[input].shape.count == 4,
              !model.graph.outputs.contains(where: { $0.name == output }),
              let consumers = readers[output], !consumers.isEmpty,
              consumers.allSatisfy({ $0.opType == "Conv" && $0.inputs.first == output && !$0.inputs.dropFirst().contains(output) }),
              (try node.string("mode") ?? "constant") == "constant" else { return false }
        let pads: [Int]
        if opset >= 11 {
            guard node.inputs.count > 1, let p = try constant(node.inputs[1]) else { return false }
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                guard let v = try constant(node.inputs[2]), v.floats.allSatisfy({ $0 == 0 }) else { return false }
            }
            if node.inputs.count > 3, !node.inputs[3].isEmpty { return false }  // opset 18 axes: leave to the operator
            pads = p.intValues
        } else {
            guard (try node.float("value") ?? 0) == 0 else { return false }
            pads = try node.ints("pads")?.map(Int.init) ?? []
        }
        // ONNX pads: [n, c, h, w] begins then ends. Only non-negative H and W pads fold.
        guard pads.count == 8, pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0, pads.allSatisfy({ $0 >= 0 }) else { return false }
        padFolds[output] = (source, [pads[2], pads[3], pads[6], pads[7]])
        return true
    }
}
