import ONNX

/// Evaluates a node whose inputs are all known at compile time, so that graphs run as
/// exporters write them: the shape arithmetic of dynamic-batch exports (Shape, Gather,
/// Concat, Reshape) and the Pad/Slice/ConstantOfShape/Cast subgraphs that TF-style
/// "same" padding leaves behind fold into plain constants before anything runs.
///
/// Returns nil for an operator it does not fold; the compiler then tries it as a runtime op.
enum ConstantFolder {
    static func fold(_ node: ONNXNode, _ inputs: [ConstantValue?], opset: Int64) throws -> [ConstantValue]? {
        let fail = { (reason: String) in EngineError.invalidNode(node: node.name, opType: node.opType, reason: reason) }
        func input(_ i: Int) throws -> ConstantValue {
            guard i < inputs.count, let value = inputs[i] else { throw fail("missing input \(i)") }
            return value
        }
        func optionalInput(_ i: Int) -> ConstantValue? { i < inputs.count ? inputs[i] : nil }

        switch node.opType {
        case "Identity", "Dropout":
            return [try input(0)]
        case "Cast":
            let to = try node.int("to") ?? 1
            let x = try input(0)
            // ONNX TensorProto types: FLOAT16/FLOAT/DOUBLE/BFLOAT16 stay floats, the rest are integers or bool.
            let isFloat = [1, 10, 11, 16].contains(to)
            return [isFloat ? ConstantValue(shape: x.shape, floats: x.floats) : ConstantValue(shape: x.shape, ints: x.ints)]
        case "ConstantOfShape":
            let shape = try input(0).intValues
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in \(shape)") }
            let count = shape.reduce(1, *)
            guard count <= 1 << 28 else { throw fail("constant of \(count) elements is too large") }
            let fill = try node.tensor("value").map { try ConstantValue(onnx: $0) } ?? ConstantValue(shape: [1], floats: [0])
            switch fill.elements {
            case .float(let v): return [ConstantValue(shape: shape, floats: .init(repeating: v.first ?? 0, count: count))]
            case .int(let v): return [ConstantValue(shape: shape, ints: .init(repeating: v.first ?? 0, count: count))]
            }
        case "Shape":
            var dims = try input(0).shape.map(Int64.init)
            let rank = Int64(dims.count)
            let start = Int(try clampAxis(node.int("start") ?? 0, rank: rank))
            let end = Int(try clampAxis(node.int("end") ?? rank, rank: rank))
            dims = start < end ? Array(dims[start..<end]) : []
            return [ConstantValue(shape: [dims.count], ints: dims)]
        case "Size":
            return [ConstantValue(shape: [], ints: [Int64(try input(0).count)])]
        case "Reshape":
            let x = try input(0)
            let target = try ShapeInference.reshape(x.shape, to: try input(1).intValues, allowZero: try node.int("allowzero") == 1)
            return [x.reshaped(target)]
        case "Flatten":
            let x = try input(0)
            let axis = try ShapeInference.axis(Int(try node.int("axis") ?? 1), rank: x.shape.count + 1)
            return [x.reshaped(ShapeInference.flatten(x.shape, axis: axis))]
        case "Unsqueeze", "Squeeze":
            let x = try input(0)
            let axes = opset >= 13 ? optionalInput(1)?.intValues : try node.ints("axes").map { $0.map(Int.init) }
            let shape = node.opType == "Unsqueeze"
                ? try ShapeInference.unsqueeze(x.shape, axes: axes ?? [])
                : try ShapeInference.squeeze(x.shape, axes: axes)
            return [x.reshaped(shape)]
        case "Concat":
            let values = try (0..<inputs.count).map(input)
            return [try ConstantOps.concat(values, axis: Int(try node.int("axis") ?? 0))]
        case "Gather":
            return [try ConstantOps.gather(try input(0), indices: try input(1), axis: Int(try node.int("axis") ?? 0))]
        case "Slice":
            return [try ConstantOps.slice(node, inputs, opset: opset)]
        case "Transpose":
            let x = try input(0)
            let perm = try node.ints("perm").map { $0.map(Int.init) } ?? Array((0..<x.shape.count).reversed())
            return [try ConstantOps.transpose(x, perm: perm)]
        case "Range":
            return [try ConstantOps.range(try input(0), try input(1), try input(2))]
        case "Expand":
            return [try ConstantOps.expand(try input(0), to: try input(1).intValues)]
        case "Add", "Sub", "Mul", "Div", "Equal", "Less", "Greater", "Min", "Max", "Pow", "Mod":
            return [try ConstantOps.binary(node.opType, try input(0), try input(1))]
        case "Neg", "Floor", "Ceil", "Sqrt", "Abs", "Not", "Reciprocal", "Relu", "Sigmoid", "Exp", "Log":
            return [ConstantOps.unary(node.opType, try input(0))]
        case "Where":
            return [try ConstantOps.whereSelect(try input(0), try input(1), try input(2))]
        default:
            return nil
        }
    }

    /// Shape's start/end: negative counts from the end, then clamp to [0, rank] (opset 15).
    private static func clampAxis(_ axis: Int64, rank: Int64) throws -> Int64 {
        min(max(axis < 0 ? axis + rank : axis, 0), rank)
    }
}

extension ConstantValue {
    /// Reads an ONNX initializer or attribute tensor.
    init(onnx tensor: ONNXTensor) throws {
        let shape = tensor.dims
        switch tensor.dataType {
        case .float, .double, .float16:
            do { self.init(shape: shape, floats: try tensor.floats()) } catch { throw EngineError.unreadableModel(error) }
        default:
            do { self.init(shape: shape, ints: try tensor.int64s()) } catch { throw EngineError.unreadableModel(error) }
        }
    }
}
