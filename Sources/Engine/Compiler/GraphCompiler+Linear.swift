import ONNX

/// Gemm and MatMul.
extension GraphCompiler {
    mutating func addGemm(_ node: ONNXNode) throws {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: "Gemm", reason: reason) }
        guard node.inputs.count >= 2 else { throw fail("needs A and B") }
        let a = try slot(for: node.inputs[0], node: node), b = try slot(for: node.inputs[1], node: node)
        let sa = values[a].shape, sb = values[b].shape
        guard sa.count == 2, sb.count == 2 else { throw fail("A \(sa) and B \(sb) must be matrices") }
        let transposeA = (try node.int("transA") ?? 0) != 0, transposeB = (try node.int("transB") ?? 0) != 0
        let m = transposeA ? sa[1] : sa[0], k = transposeA ? sa[0] : sa[1]
        let kb = transposeB ? sb[1] : sb[0], n = transposeB ? sb[0] : sb[1]
        guard k == kb else { throw fail("inner dimensions differ: A \(sa), B \(sb)") }
        var op = MatrixProduct(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                               alpha: try node.float("alpha") ?? 1, beta: try node.float("beta") ?? 1)
        var inputs = [a, b]
        if node.inputs.count > 2, !node.inputs[2].isEmpty {
            let c = try slot(for: node.inputs[2], node: node)
            guard let layout = BroadcastLayout([m, n], values[c].shape), layout.outputShape == [m, n] else {
                throw fail("C \(values[c].shape) does not broadcast to [\(m), \(n)]")
            }
            op.biasLayout = layout
            inputs.append(c)
        } else {
            op.beta = 0
        }
        addStep(node, op: op, inputs: inputs, output: addActivation(node.outputs[0], shape: [m, n]))
    }

    /// MatMul of A (..., M, K) with B (K, N), or with B (..., K, N) of the same leading dimensions.
    mutating func addMatMul(_ node: ONNXNode) throws {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: "MatMul", reason: reason) }
        guard node.inputs.count >= 2 else { throw fail("needs A and B") }
        let a = try slot(for: node.inputs[0], node: node), b = try slot(for: node.inputs[1], node: node)
        let sa = values[a].shape, sb = values[b].shape
        guard sa.count >= 2, sb.count >= 2, sa[sa.count - 1] == sb[sb.count - 2] else { throw fail("A \(sa) and B \(sb) do not multiply") }
        let k = sa[sa.count - 1], n = sb[sb.count - 1]
        let output = Array(sa.dropLast()) + [n]
        let op: MatrixProduct
        if sb.count == 2 {
            // One B for every row block: fold the leading dimensions of A into M.
            op = MatrixProduct(m: sa.dropLast().reduce(1, *), n: n, k: k)
        } else {
            guard sa.dropLast(2) == sb.dropLast(2) else { throw fail("batched MatMul needs equal leading dimensions, got \(sa) and \(sb)") }
            op = MatrixProduct(m: sa[sa.count - 2], n: n, k: k, batchCount: sa.dropLast(2).reduce(1, *), strideB: k * n)
        }
        addStep(node, op: op, inputs: [a, b], output: addActivation(node.outputs[0], shape: output))
    }
}
