import ONNX

/// Finds Conv -> BatchNormalization pairs that can be merged at load time: the Conv's output
/// feeds only the BatchNorm and is not a graph output. In inference mode BN is the affine map
/// y = (x - mean) * gamma / sqrt(var + eps) + beta, so it folds into the Conv's weight and bias
/// (scale each output channel's kernel and shift its bias), and the BN's output name is kept.
struct BatchNormFolds {
    private var foldedInto: [String: ONNXNode] = [:]   // conv node name -> BN node
    private var absorbed: Set<String> = []             // BN node names (or output names) that vanish
    /// The Conv output that disappears -> the BatchNorm output that replaces it.
    private(set) var replacedOutputs: [String: String] = [:]

    init(graph: ONNXGraph) {
        var consumers = [String: Int]()
        for node in graph.nodes { for input in node.inputs where !input.isEmpty { consumers[input, default: 0] += 1 } }
        let graphOutputs = Set(graph.outputs.map(\.name))
        var producers = [String: ONNXNode]()
        for node in graph.nodes { for output in node.outputs { producers[output] = node } }
        for node in graph.nodes where node.opType == "BatchNormalization" && node.outputs.count >= 1 {
            guard let x = node.inputs.first, let conv = producers[x], conv.opType == "Conv",
                  consumers[x] == 1, !graphOutputs.contains(x),
                  node.outputs.dropFirst().allSatisfy({ $0.isEmpty || consumers[$0] == nil }) else { continue }
            foldedInto[conv.name.isEmpty ? x : conv.name] = node
            absorbed.insert(key(node))
            replacedOutputs[x] = node.outputs[0]
        }
    }

    func batchNorm(following conv: ONNXNode) -> ONNXNode? {
        foldedInto[conv.name.isEmpty ? (conv.outputs.first ?? "") : conv.name]
    }

    func isAbsorbed(_ node: ONNXNode) -> Bool {
        node.opType == "BatchNormalization" && absorbed.contains(key(node))
    }

    private func key(_ node: ONNXNode) -> String { node.name + "\u{0}" + (node.outputs.first ?? "") }
}
