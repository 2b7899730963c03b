import Foundation
import ONNX

/// Conv, pooling and Pad: the operators with a spatial window.
extension GraphCompiler {
    mutating func addConv(_ node: ONNXNode) throws {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: "Conv", reason: reason) }
        let foldedPad = padFolds[node.inputs.first ?? ""]
        guard node.inputs.count >= 2, let x = valueIndex[foldedPad?.source ?? node.inputs[0]] else { throw fail("the data input is not a runtime tensor") }
        guard let kernel = constantShape(node.inputs[1]) else { throw fail("the weight is not a constant") }
        let input = values[x].shape
        guard input.count == 4, kernel.count == 4 else { throw fail("only 2-D convolutions are supported (input \(input), weight \(kernel))") }
        let groups = Int(try node.int("group") ?? 1)
        guard groups >= 1, input[1] % groups == 0, kernel[0] % groups == 0, kernel[1] * groups == input[1] else {
            throw fail("weight \(kernel) does not fit input \(input) with \(groups) groups")
        }
        var geometry = try window(node, input: input, kernel: [kernel[2], kernel[3]], outputChannels: kernel[0], extraPads: foldedPad?.pads)
        geometry.groups = groups

        let batchNorm = batchNormFold(after: node)
        let outputName = batchNorm?.outputs[0] ?? node.outputs[0]
        let biasName = node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil
        // BN(conv(x)) = conv(x) * s + t with s = gamma / sqrt(var + eps), t = beta - mean * s:
        // scale each output channel's kernel by s and set bias' = bias * s + t.
        let affine = try batchNorm.map(batchNormAffine)
        if let affine, affine.scale.count != kernel[0] { throw fail("BatchNorm has \(affine.scale.count) channels for \(kernel[0])") }
        // Cached per node, so every batch size's plan shares one converted copy. The folded
        // row-major kernel is cached only where it is what Conv keeps; panels and Winograd's
        // transform are made from it once and it is then dropped.
        let key = "conv:\(node.name):\(node.outputs[0])"
        var foldedOnce: [Float]?
        func folded() throws -> [Float] {
            if let foldedOnce { return foldedOnce }
            guard var w = try convertedConstant(node.inputs[1])?.floats else { throw fail("the weight is not a constant") }
            if let scale = affine?.scale {
                let perChannel = w.count / kernel[0]
                for m in 0..<kernel[0] { for i in 0..<perChannel { w[m * perChannel + i] *= scale[m] } }
            }
            foldedOnce = w
            return w
        }
        let panels = try Conv.usesPanels(geometry)
            ? PanelWeights(values: weights.floats(key + ":panels") { PanelWeights.pack(try folded(), rows: kernel[0], depth: geometry.columnRows) },
                           rows: kernel[0], depth: geometry.columnRows)
            : nil
        let rowMajor = panels == nil ? try weights.floats(key + ":w", make: folded) : []
        var bias = try biasName.map { name in try weights.floats(key + ":bias") { try convertedConstant(name)?.floats ?? [] } }
        if let b = bias, b.count != kernel[0] { throw fail("bias has \(b.count) values for \(kernel[0]) channels") }
        if let affine {
            let oldBias = bias ?? Array(repeating: 0, count: kernel[0])
            bias = weights.floats(key + ":b") { (0..<kernel[0]).map { oldBias[$0] * affine.scale[$0] + affine.shift[$0] } }
        }
        let outputShape = [input[0], kernel[0], geometry.outputHeight, geometry.outputWidth]
        let winograd = Winograd3x3.pays(for: geometry)
        let residual = panels != nil && !winograd ? fusableResidualAdd(reading: outputName, shape: outputShape) : nil
        if let residual { fusedResidualAdds[residual.output] = outputName }
        let beforeClamp = residual?.output ?? outputName
        let fused = fusableClamp(reading: beforeClamp)
        if let fused { fusedClamps[beforeClamp] = fused.output }
        let winogradWeight = try winograd
            ? weights.floats(key + ":winograd") { Winograd3x3.transformWeights(try folded(), outputChannels: kernel[0], inputChannels: kernel[1]) }
            : nil
        let op = Conv(geometry: geometry, weight: rowMajor, panels: panels, bias: bias, clamp: fused?.clamp, winogradWeight: winogradWeight,
                      addsResidual: residual != nil)
        let opType = "Conv" + (residual == nil ? "" : "+Add") + (fused.map { "+\($0.opType)" } ?? "")
        addStep(node, op: op, inputs: [x] + (residual.map { [$0.value] } ?? []),
                output: addActivation(fused?.output ?? beforeClamp, shape: outputShape), opType: opType)
    }

    /// A residual Add that is the only reader of a Conv's output, and whose other operand is a
    /// runtime value of the same shape computed before this Conv, runs in the Conv's epilogue
    /// (as onnxruntime runs it): the Add's step, a pass over three tensors, goes away. The
    /// Conv's own output then never exists, so it is not offered as a target layer. In a block
    /// whose shortcut has a convolution exported after the branch's last one (ResNet's first
    /// block of a stage), the Add joins the shortcut's convolution, the later of the two.
    mutating func fusableResidualAdd(reading value: String, shape: [Int]) -> (value: Int, output: String)? {
        guard let readers = readers[value], readers.count == 1, let node = readers.first, node.opType == "Add",
              node.inputs.count == 2, node.outputs.count == 1, !model.graph.outputs.contains(where: { $0.name == value }) else { return nil }
        let other = node.inputs[0] == value ? node.inputs[1] : node.inputs[0]
        guard other != value, let id = valueIndex[other], values[id].shape == shape else { return nil }
        if case .constant = values[id].storage { return nil }
        return (id, node.outputs[0])
    }

    /// A ReLU or Clip that is the only reader of a Conv's (or an Add's) output runs in that
    /// step's epilogue (FusedClamp): one pass over the output instead of a second step and a second tensor.
    /// The pre-activation value then never exists, so it is not offered as a target layer.
    mutating func fusableClamp(reading value: String) -> (clamp: FusedClamp, output: String, opType: String)? {
        guard let readers = readers[value], readers.count == 1, let node = readers.first,
              node.opType == "Relu" || node.opType == "Clip", node.inputs.first == value, node.outputs.count == 1,
              !model.graph.outputs.contains(where: { $0.name == value }) else { return nil }
        // Exporters often place a Clip's bound Constants just before the Clip, after this Conv;
        // folding a Constant early is harmless (it has no inputs) and lets us read the bounds now.
        for bound in node.inputs.dropFirst() { if let constant = constantNodes[bound] { try? foldConstantNode(constant) } }
        guard let kind = try? activationKind(node), let clamp = FusedClamp(kind) else { return nil }
        return (clamp, node.outputs[0], node.opType)
    }

    /// Inference BatchNormalization as a per-channel affine map: scale = gamma / sqrt(var + eps),
    /// shift = beta - mean * scale.
    func batchNormAffine(_ node: ONNXNode) throws -> (scale: [Float], shift: [Float]) {
        var compiler = self
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: "BatchNormalization", reason: reason) }
        guard node.inputs.count >= 5 else { throw fail("needs scale, bias, mean and var inputs") }
        let parameters = try node.inputs[1...4].map { name -> [Float] in
            guard let value = try compiler.constant(name) else { throw fail("'\(name)' is not a constant (training-mode BatchNorm is not supported)") }
            return value.floats
        }
        let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        guard Set([gamma.count, beta.count, mean.count, variance.count]).count == 1 else { throw fail("parameter sizes differ") }
        let epsilon = try node.float("epsilon") ?? 1e-5
        let scale = zip(gamma, variance).map { $0 / ($1 + epsilon).squareRoot() }
        let shift = (0..<gamma.count).map { beta[$0] - mean[$0] * scale[$0] }
        return (scale, shift)
    }

    mutating func addPool(_ node: ONNXNode) throws {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: node.opType, reason: reason) }
        guard let x = valueIndex[node.inputs.first ?? ""] else { throw fail("the data input is not a runtime tensor") }
        if node.outputs.count > 1, !node.outputs[1].isEmpty { throw fail("MaxPool's Indices output is not supported") }
        let input = values[x].shape
        guard input.count == 4 else { throw fail("only 2-D pooling is supported (input \(input))") }
        guard let kernel = try node.ints("kernel_shape")?.map(Int.init), kernel.count == 2 else { throw fail("kernel_shape must have 2 values") }
        var geometry = try window(node, input: input, kernel: kernel, outputChannels: input[1])
        geometry.groups = input[1]
        let kind: Pool.Kind = node.opType == "MaxPool" ? .max : .average(countIncludePad: (try node.int("count_include_pad") ?? 0) != 0)
        let pads = try explicitPads(node)
        let op = Pool(kind: kind, geometry: geometry, padEndHeight: pads.map { $0[2] } ?? 0, padEndWidth: pads.map { $0[3] } ?? 0)
        addStep(node, op: op, inputs: [x], output: addActivation(node.outputs[0], shape: [input[0], input[1], geometry.outputHeight, geometry.outputWidth]))
    }

    /// Strides, dilations, pads (explicit or auto_pad) and the output size of a 2-D window.
    /// `extraPads` ([top, left, bottom, right]) come from a zero Pad folded into this Conv.
    private func window(_ node: ONNXNode, input: [Int], kernel: [Int], outputChannels: Int, extraPads: [Int]? = nil) throws -> ConvGeometry {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: node.opType, reason: reason) }
        let strides = try node.ints("strides")?.map(Int.init) ?? [1, 1]
        let dilations = try node.ints("dilations")?.map(Int.init) ?? [1, 1]
        guard strides.count == 2, dilations.count == 2, (strides + dilations + kernel).allSatisfy({ $0 >= 1 }) else {
            throw fail("bad strides \(strides), dilations \(dilations) or kernel \(kernel)")
        }
        if let declared = try node.ints("kernel_shape")?.map(Int.init), declared != kernel {
            throw fail("kernel_shape \(declared) disagrees with the weight's \(kernel)")
        }
        let ceilMode = (try node.int("ceil_mode") ?? 0) != 0
        var pads = try explicitPads(node) ?? [0, 0, 0, 0]
        let autoPad = try node.string("auto_pad") ?? "NOTSET"
        if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
            // ONNX: output = ceil(in / stride); the extra pad goes at the end for SAME_UPPER.
            for axis in 0..<2 {
                let out = (input[2 + axis] + strides[axis] - 1) / strides[axis]
                let total = max(0, (out - 1) * strides[axis] + dilations[axis] * (kernel[axis] - 1) + 1 - input[2 + axis])
                let small = total / 2, large = total - small
                pads[axis] = autoPad == "SAME_UPPER" ? small : large
                pads[axis + 2] = autoPad == "SAME_UPPER" ? large : small
            }
        } else if autoPad == "VALID" {
            pads = [0, 0, 0, 0]
        } else if autoPad != "NOTSET" {
            throw fail("auto_pad \(autoPad) is not supported")
        }
        if let extraPads {
            guard autoPad == "NOTSET" || autoPad == "VALID" else { throw fail("a folded Pad cannot combine with auto_pad \(autoPad)") }
            pads = zip(pads, extraPads).map { $0 + $1 }
        }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw fail("negative pads \(pads)") }
        let outH = ConvGeometry.outputSize(input: input[2], kernel: kernel[0], stride: strides[0], dilation: dilations[0], padBegin: pads[0], padEnd: pads[2], ceilMode: ceilMode)
        let outW = ConvGeometry.outputSize(input: input[3], kernel: kernel[1], stride: strides[1], dilation: dilations[1], padBegin: pads[1], padEnd: pads[3], ceilMode: ceilMode)
        guard outH > 0, outW > 0 else { throw fail("the window \(kernel) does not fit the input \(input)") }
        return ConvGeometry(batch: input[0], inputChannels: input[1], inputHeight: input[2], inputWidth: input[3],
                            outputChannels: outputChannels, outputHeight: outH, outputWidth: outW,
                            kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: strides[0], strideWidth: strides[1],
                            dilationHeight: dilations[0], dilationWidth: dilations[1], padTop: pads[0], padLeft: pads[1])
    }

    /// ONNX pads are [top, left, bottom, right] for 2-D windows.
    private func explicitPads(_ node: ONNXNode) throws -> [Int]? {
        guard let pads = try node.ints("pads")?.map(Int.init) else { return nil }
        guard pads.count == 4 else { throw EngineError.invalidNode(node: node.name, opType: node.opType, reason: "pads must have 4 values, got \(pads)") }
        return pads
    }

    mutating func addPad(_ node: ONNXNode) throws {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: "Pad", reason: reason) }
        guard let x = valueIndex[node.inputs.first ?? ""] else { throw fail("the data input is not a runtime tensor") }
        let input = values[x].shape
        let mode = try node.string("mode") ?? "constant"
        guard mode == "constant" else { throw fail("mode '\(mode)' is not supported; only constant") }
        var pads: [Int], value: Float = 0
        if opset >= 11 {
            guard node.inputs.count > 1, let p = try constant(node.inputs[1]) else { throw fail("pads must be a constant") }
            pads = p.intValues
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                guard let v = try constant(node.inputs[2]) else { throw fail("constant_value must be a constant") }
                value = v.floats.first ?? 0
            }
            if node.inputs.count > 3, !node.inputs[3].isEmpty {
                // Opset 18 axes: pads name only these axes; the rest get 0.
                guard let axesValue = try constant(node.inputs[3]) else { throw fail("axes must be a constant") }
                let axes = try axesValue.intValues.map { try ShapeInference.axis($0, rank: input.count) }
                guard pads.count == 2 * axes.count else { throw fail("\(pads.count) pads for \(axes.count) axes") }
                var full = [Int](repeating: 0, count: 2 * input.count)
                for (k, a) in axes.enumerated() { full[a] = pads[k]; full[a + input.count] = pads[k + axes.count] }
                pads = full
            }
        } else {
            pads = try node.ints("pads")?.map(Int.init) ?? []
            value = try node.float("value") ?? 0
        }
        guard pads.count == 2 * input.count else { throw fail("\(pads.count) pads for rank \(input.count)") }
        let begins = Array(pads.prefix(input.count)), ends = Array(pads.suffix(input.count))
        let output = (0..<input.count).map { input[$0] + begins[$0] + ends[$0] }
        guard output.allSatisfy({ $0 > 0 }) else { throw fail("pads \(pads) leave nothing of \(input)") }
        let op = Pad(inputShape: input, outputShape: output, begins: begins, value: value)
        addStep(node, op: op, inputs: [x], output: addActivation(node.outputs[0], shape: output))
    }
}
