import Testing
@testable import Engine

struct ScratchLayoutTests {
    /// A binding whose backward runs no step gives every thread forward's largest need; one
    /// whose backward runs every step gives the first thread the largest need of all, and the
    /// others less: backward's column matrix is the first thread's alone.
    @Test(arguments: FixtureManifest.exports)
    func onlyTheStepsABackwardRunsGiveTheFirstThreadTheirColumnMatrix(_ export: Export) throws {
        let plan = try FixtureModelTests.models.model(export).plan(batch: 1)
        let ops = plan.steps.compactMap(\.op)
        let forwardLargest = try #require(ops.map(\.forwardScratchCount).max())
        #expect(ScratchLayout(plan: plan, backwardSteps: []) == ScratchLayout(first: forwardLargest, helper: forwardLargest))

        let everything = ScratchLayout(plan: plan, backwardSteps: Array(plan.steps.indices))
        #expect(everything.first == ops.map(\.scratchCount).max())
        #expect(everything.helper == ops.map(\.helperScratchCount).max())
        #expect(everything.helper <= everything.first && forwardLargest <= everything.helper)
    }

    /// A 3x3 convolution at 14 x 14, 256 -> 256 channels (ResNet-50's layer3): backward's column
    /// matrix (9 x 256 rows, 196 columns: 1.8 MB) is the first thread's alone.
    @Test func backwardsColumnMatrixIsTheFirstThreadsAlone() {
        let g = ConvGeometry(batch: 1, inputChannels: 256, inputHeight: 14, inputWidth: 14, outputChannels: 256,
                             outputHeight: 14, outputWidth: 14, kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1,
                             dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1, groups: 1)
        let conv = Conv(geometry: g, weight: randomValues(256 * 256 * 9, seed: 3), bias: nil, clamp: nil, winogradWeight: nil)
        let columnMatrix = 9 * 256 * 196
        #expect(conv.scratchCount >= columnMatrix)
        #expect(conv.helperScratchCount < columnMatrix)
        #expect(conv.forwardScratchCount <= conv.helperScratchCount)

        // In a plan of that one step, a binding that runs no backward gives no thread the matrix.
        let plan = ExecutionPlan(batch: 1, values: [], steps: [Step(nodeName: "conv", opType: "Conv", op: conv, inputs: [], output: 0)],
                                 valueIndex: [:], inputValue: 0, logitsValue: 0, outputValue: 0, foldedValues: [:])
        #expect(ScratchLayout(plan: plan, backwardSteps: []) == ScratchLayout(first: conv.forwardScratchCount, helper: conv.forwardScratchCount))
        #expect(ScratchLayout(plan: plan, backwardSteps: [0]) == ScratchLayout(first: conv.scratchCount, helper: conv.helperScratchCount))
    }
}
