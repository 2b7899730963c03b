import Foundation
import CMalloc
import ONNX

/// A loaded and compiled image classifier, shared read-only by every worker.
///
/// Weights are converted (and BatchNorm folded) once; plans for other batch sizes are
/// compiled on first use and reuse the same weights.
public final class Model: Sendable {
    public let name: String
    public let inputName: String
    /// Per-sample input shape (C, H, W).
    public let inputShape: [Int]
    public let outputName: String
    public let classCount: Int
    /// Every runtime node of the compiled graph at batch 1, in execution order.
    public let layers: [LayerInfo]
    /// The last 4-D activation before the global pooling (or the last 4-D activation).
    public let defaultTargetLayer: String?

    let onnx: ONNXModel
    let weights: WeightStore
    private let plans: PlanCache
    let classifiers = ClassifierCache()

    public static func load(contentsOf url: URL, name: String? = nil) throws(EngineError) -> Model {
        let onnx: ONNXModel
        do { onnx = try ONNXModelLoader.load(contentsOf: url) } catch { throw .unreadableModel(error) }
        return try Model(onnx: onnx, name: name ?? url.deletingPathExtension().lastPathComponent)
    }

    public init(onnx: ONNXModel, name: String) throws(EngineError) {
        self.onnx = onnx
        self.name = name
        weights = WeightStore()
        let plan: ExecutionPlan
        do {
            var compiler = try GraphCompiler(model: onnx, batch: 1, weights: weights)
            plan = try compiler.compile()
        } catch let error as EngineError {
            throw error
        } catch {
            throw .invalidNode(node: "?", opType: "?", reason: "\(error)")
        }
        plans = PlanCache(first: plan)
        // The compiler freed a converted copy of every kernel it packed (see the header).
        gradcam_release_free_heap()
        let input = plan.values[plan.inputValue]
        inputName = input.name
        inputShape = Array(input.shape.dropFirst())
        outputName = plan.values[plan.outputValue].name
        classCount = plan.values[plan.logitsValue].count
        layers = plan.steps.map { LayerInfo(step: $0, plan: plan) }
        defaultTargetLayer = Model.defaultTarget(in: plan)
    }

    func plan(batch: Int) throws(EngineError) -> ExecutionPlan {
        guard batch >= 1 && batch <= 1024 else { throw .unsupportedBatch(batch, reason: "must be between 1 and 1024") }
        do {
            return try plans.plan(batch: batch) { () throws -> ExecutionPlan in
                var compiler = try GraphCompiler(model: onnx, batch: batch, weights: weights)
                return try compiler.compile()
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw .unsupportedBatch(batch, reason: "\(error)")
        }
    }

    /// The value ID of a layer that Grad-CAM can target: a 4-D (N, K, u, v) activation.
    func targetValue(_ name: String, in plan: ExecutionPlan) throws(EngineError) -> Int {
        guard let id = plan.valueIndex[name] else {
            if let reason = plan.foldedValues[name] { throw .notATargetLayer(name, reason: reason) }
            throw .unknownLayer(name)
        }
        let slot = plan.values[id]
        guard plan.root(of: id) != nil else { throw .notATargetLayer(name, reason: "it is a constant") }
        guard slot.shape.count == 4 else { throw .notATargetLayer(name, reason: "it has shape \(slot.shape); a 4-D feature map is needed") }
        return id
    }

    /// Layers that can be explained: every 4-D activation, in execution order.
    public var targetLayers: [LayerInfo] { layers.filter { $0.shape.count == 4 } }

    private static func defaultTarget(in plan: ExecutionPlan) -> String? {
        let pooling = plan.steps.last { step in
            (step.opType == "GlobalAveragePool" || step.opType == "ReduceMean") && plan.values[step.inputs[0]].shape.count == 4
        }
        if let pooling { return plan.values[pooling.inputs[0]].name }
        return plan.steps.last { plan.values[$0.output].shape.count == 4 }.map { plan.values[$0.output].name }
    }
}

/// What `inspect` and `GET /v1/model` show of each layer.
public struct LayerInfo: Sendable, Equatable, Codable {
    /// The ONNX name of the layer's output value: what `layer=` takes.
    public let name: String
    public let node: String
    public let opType: String
    /// Output shape at batch 1.
    public let shape: [Int]

    init(step: Step, plan: ExecutionPlan) {
        name = plan.values[step.output].name
        node = step.nodeName
        opType = step.opType
        shape = plan.values[step.output].shape
    }
}

/// Compiled plans by batch size, behind a lock: compiling is rare, reading is not.
final class PlanCache: @unchecked Sendable {
    private let lock = NSLock()
    private var plans: [Int: ExecutionPlan]

    init(first: ExecutionPlan) { plans = [first.batch: first] }

    func plan(batch: Int, compile: () throws -> ExecutionPlan) throws -> ExecutionPlan {
        lock.lock(); defer { lock.unlock() }
        if let plan = plans[batch] { return plan }
        let plan = try compile()
        plans[batch] = plan
        return plan
    }
}
