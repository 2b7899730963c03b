import Foundation
import Testing
@testable import Engine
import TestSupport

/// The static memory plan reuses dead activations' memory; these tests check that nothing
/// still needed is ever overwritten, for every fixture model and the bundled EfficientNet.
struct MemoryPlanTests {
    static let defaultModelURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models/efficientnet-lite0/model.onnx")

    /// A model file and the layers to plan backward to (besides none).
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let url: URL
        let layers: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = FixtureManifest.exports.map { export in
        Case(name: export.testDescription, url: FixtureManifest.url(export.fixture.files[export.exporter]!),
             layers: export.fixture.targets.compactMap { $0.layerNameByExporter[export.exporter] })
    } + [Case(name: "efficientnet-lite0", url: defaultModelURL, layers: [])]

    @Test(arguments: cases)
    func liveValuesNeverShareMemory(_ testCase: Case) throws {
        let model = try Model.load(contentsOf: testCase.url)
        var layers = testCase.layers + [try #require(model.defaultTargetLayer)]
        if let early = model.targetLayers.first?.name { layers.append(early) }
        for batch in [1, 2] {
            let plan = try model.plan(batch: batch)
            let memory = MemoryPlan(plan: plan, retained: [])
            try expectNoLiveValueOverwritten(plan, memory, "\(testCase.name) batch \(batch) predict")
            expectOverlappingLifetimesApart(memory.lifetimes, memory.offsets, buffers: memory.owners, plan, "\(testCase.name) batch \(batch) predict")
            for layer in layers {
                let backward = try BackwardPlan(plan: plan, target: try model.targetValue(layer, in: plan))
                let explain = MemoryPlan(plan: plan, retained: MemoryPlan.retained(by: backward, in: plan))
                let gradients = GradientMemoryPlan(plan: plan, backward: backward)
                let context = "\(testCase.name) batch \(batch) layer \(layer)"
                try expectNoLiveValueOverwritten(plan, explain, context)
                expectOverlappingLifetimesApart(explain.lifetimes, explain.offsets, buffers: explain.owners, plan, context)
                try expectNoLiveGradientOverwritten(plan, backward, gradients, context)
                expectOverlappingLifetimesApart(gradients.lifetimes, gradients.offsets, buffers: plan.values.indices.map(plan.root(of:)),
                                                plan, context + " gradients")
            }
        }
    }

    /// Memory reuse must not change results: whatever the retained layer, the logits of the
    /// bundled model are bit-for-bit those of a forward pass that keeps only the logits.
    @Test func logitsDoNotDependOnTheRetainedLayer() throws {
        let model = try Model.load(contentsOf: Self.defaultModelURL)
        let session = Session(model: model)
        var generator = SystemRandomNumberGenerator()
        let input = (0..<model.inputShape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) }
        let predicted = try input.withUnsafeBufferPointer { try session.forward($0) }
        for layer in [model.defaultTargetLayer, model.targetLayers.first?.name, model.targetLayers[model.targetLayers.count / 2].name] {
            let logits = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: layer) }
            #expect(logits.count == predicted.count && maxAbsoluteDifference(logits, predicted) == 0, "layer \(layer ?? "none")")
        }
    }

    @Test func allocatorReusesOnlyMemoryWhoseLifetimeIsOver() {
        let buffers = [BufferLifetime(first: 0, last: 1, floats: 16), BufferLifetime(first: 0, last: 3, floats: 16),
                       BufferLifetime(first: 2, last: 3, floats: 30)]
        let placed = ArenaAllocator.place(buffers)
        // Biggest first: the third (30 -> 32 floats, aligned) at 0; the first at 0 too, since
        // they are never alive together; the second lives alongside both, so it goes above
        // them. Placing in time order would have put the first two at 0 and 16 and the third,
        // too big for the first's freed 16 floats, at 32: an arena of 64 for 48 ever alive.
        #expect(placed.offsets == [0, 32, 0])
        #expect(placed.floats == 48)
    }

    /// The arena is as small as the most memory alive at any one time on the models here:
    /// ResNet-style stages have a few large activations and many small ones.
    @Test(arguments: cases)
    func arenaHoldsNoMoreThanThePeakOfLiveBuffers(_ testCase: Case) throws {
        let plan = try Model.load(contentsOf: testCase.url).plan(batch: 1)
        let memory = MemoryPlan(plan: plan, retained: [])
        var peak = 0
        for time in 0...plan.steps.count + 1 {
            let live = Set(plan.values.indices.compactMap { memory.lifetimes[$0]?.contains(time) == true ? memory.owners[$0] : nil })
            peak = max(peak, live.reduce(0) { $0 + ArenaAllocator.aligned(plan.values[$1].count) })
        }
        #expect(memory.floats >= peak)
        #expect(Double(memory.floats) <= 1.05 * Double(peak), "arena \(memory.floats) floats for a peak of \(peak)")
    }

    @Test func efficientNetPlansAreSmallerThanOneSlotPerValue() throws {
        let model = try Model.load(contentsOf: Self.defaultModelURL)
        let plan = try model.plan(batch: 1)
        let everything = plan.values.indices.filter { if case .activation = plan.values[$0].storage { true } else { false } }
        let unshared = everything.reduce(0) { $0 + ArenaAllocator.aligned(plan.values[$1].count) }
        let predict = MemoryPlan(plan: plan, retained: [])
        #expect(MemoryPlan(plan: plan, retained: Set(everything)).floats == unshared)
        #expect(predict.floats * 4 < unshared)
    }

    // MARK: - Checks

    /// Replays the plan over a map of which value owns each 16-float chunk of the arena:
    /// every step's inputs must still own their memory once it has written its output, and
    /// the logits and retained values must own theirs at the end.
    private func expectNoLiveValueOverwritten(_ plan: ExecutionPlan, _ memory: MemoryPlan, _ context: String) throws {
        var owner = [Int](repeating: -1, count: memory.floats / ArenaAllocator.alignment + 1)
        func chunks(_ id: Int) throws -> Range<Int> {
            let offset = try #require(memory.offsets[id], "\(context): \(plan.values[id].name) has no offset")
            return offset / ArenaAllocator.alignment ..< (offset + plan.values[id].count + ArenaAllocator.alignment - 1) / ArenaAllocator.alignment
        }
        func owns(_ id: Int) throws -> Bool {
            guard let root = plan.root(of: id) else { return true }
            return try chunks(id).allSatisfy { owner[$0] == root }
        }
        for chunk in try chunks(plan.inputValue) { owner[chunk] = plan.inputValue }
        var lastReader = [Int: Int]()
        for (s, step) in plan.steps.enumerated() { for input in step.inputs { if let root = plan.root(of: input) { lastReader[root] = s } } }
        for (s, step) in plan.steps.enumerated() {
            // The output is claimed first: a step's inputs must survive its own output being
            // written as well as every earlier step's, unless the step runs in place over one
            // of them, which must then be an input its operator allows, read by no later step.
            var overwritten: Int?
            if case .activation = plan.values[step.output].storage {
                overwritten = try step.inputs.indices.first { try plan.root(of: step.inputs[$0]).map { try owns($0) && chunks($0) == chunks(step.output) } ?? false }
                for chunk in try chunks(step.output) { owner[chunk] = step.output }
            }
            for (index, input) in step.inputs.enumerated() where index != overwritten {
                #expect(try owns(input), "\(context): \(step.nodeName) reads \(plan.values[input].name) after it was overwritten")
            }
            if let index = overwritten {
                let root = plan.root(of: step.inputs[index])!
                #expect(step.op?.inPlaceInputs.contains(index) == true, "\(context): \(step.nodeName) runs in place over an input its operator does not allow")
                #expect(lastReader[root] == s && !memory.retained.contains(root) && root != plan.inputValue,
                        "\(context): \(step.nodeName) overwrites \(plan.values[root].name), which is still needed")
            }
        }
        for id in memory.retained.union([plan.logitsValue]) {
            #expect(try owns(id), "\(context): \(plan.values[id].name) was overwritten before backward")
        }
    }

    /// The same replay for gradients in backward order: a gradient is claimed when it is zeroed,
    /// and must still be owned whenever a step adds into it or reads it, and at the end for the target.
    private func expectNoLiveGradientOverwritten(_ plan: ExecutionPlan, _ backward: BackwardPlan,
                                                 _ gradients: GradientMemoryPlan, _ context: String) throws {
        var owner = [Int](repeating: -1, count: gradients.floats / ArenaAllocator.alignment + 1)
        func chunks(offset: Int, floats: Int) -> Range<Int> {
            offset / ArenaAllocator.alignment ..< (offset + floats + ArenaAllocator.alignment - 1) / ArenaAllocator.alignment
        }
        func claimed(_ id: Int) -> Bool {
            guard let offset = gradients.offsets[id] else { return true }
            return chunks(offset: offset, floats: plan.values[id].count).allSatisfy { owner[$0] == plan.root(of: id) }
        }
        func clear(at time: Int) {
            for buffer in gradients.clears[time] {
                for chunk in chunks(offset: buffer.offset, floats: buffer.floats) { owner[chunk] = buffer.value }
            }
        }
        clear(at: 0)
        #expect(claimed(plan.logitsValue), "\(context): the logits' gradient is not cleared before the seed")
        for (k, index) in backward.steps.enumerated() {
            clear(at: k + 1)
            let step = plan.steps[index]
            for id in step.inputs + [step.output] {
                #expect(claimed(id), "\(context): \(step.nodeName) touches the gradient of \(plan.values[id].name) while another gradient owns it")
            }
        }
        #expect(claimed(backward.target), "\(context): the target's gradient was overwritten")
    }

    /// No two buffers whose lifetimes overlap may share a float.
    private func expectOverlappingLifetimesApart(_ lifetimes: [ClosedRange<Int>?], _ offsets: [Int?], buffers: [Int?],
                                                 _ plan: ExecutionPlan, _ context: String) {
        // One value per buffer: a view and its source share one (and may not both have an
        // entry), as do the values of a chain of in-place steps.
        var seen = Set<Int>()
        let roots = plan.values.indices.filter { offsets[$0] != nil && seen.insert(buffers[$0] ?? $0).inserted }
        for (i, a) in roots.enumerated() {
            for b in roots[(i + 1)...] {
                guard let la = lifetimes[a], let lb = lifetimes[b], let oa = offsets[a], let ob = offsets[b], la.overlaps(lb) else { continue }
                let apart = oa + plan.values[a].count <= ob || ob + plan.values[b].count <= oa
                #expect(apart, "\(context): \(plan.values[a].name) and \(plan.values[b].name) are alive together in the same memory")
            }
        }
    }
}
