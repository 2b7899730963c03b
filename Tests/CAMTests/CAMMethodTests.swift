import Testing
@testable import CAM

struct CAMMethodTests {
    /// Two channels of 2x2: A^0 = [1,2,3,4], A^1 = [4,3,2,1]; gradients chosen so alpha = (0.5, -0.25).
    let maps = FeatureMaps(channels: 2, height: 2, width: 2,
                           activations: [1, 2, 3, 4, 4, 3, 2, 1][...],
                           gradients: [0, 1, 0.5, 0.5, -1, 0, 0, 0][...])

    @Test func gradCAMWeightsAreSpatialMeansOfTheGradient() throws {
        #expect(try GradCAM().channelWeights(for: maps, classIndex: 0) == [0.5, -0.25])
    }

    @Test func gradCAMWithoutGradientsIsAnError() {
        let bare = FeatureMaps(channels: 1, height: 1, width: 1, activations: [1][...])
        #expect(throws: CAMError.missingGradients(method: "gradcam")) { try GradCAM().channelWeights(for: bare, classIndex: 0) }
    }

    @Test func rawMapIsReLUOfTheWeightedSum() {
        // 0.5 * A0 - 0.25 * A1 = [-0.5, 0.25, 1, 1.75] -> ReLU -> [0, 0.25, 1, 1.75]
        #expect(CAMComposer.rawMap(maps, weights: [0.5, -0.25]).values == [0, 0.25, 1, 1.75])
    }

    @Test func camTakesTheClassifierRowOfTheClass() throws {
        let cam = ClassActivationMapping(classifierWeights: [1, 2, 3, 4, 5, 6], classCount: 3)
        #expect(try cam.channelWeights(for: maps, classIndex: 2) == [5, 6])
        #expect(throws: CAMError.self) { try cam.channelWeights(for: maps, classIndex: 3) }
    }

    @Test func explanationCarriesRawAndDisplayMaps() throws {
        let explanation = try CAMComposer.explain(maps, classIndex: 0, method: GradCAM(), width: 4, height: 4)
        #expect(explanation.raw.width == 2 && explanation.display.width == 4)
        #expect(explanation.display.values.min() == 0)
        #expect(abs((explanation.display.values.max() ?? 0) - 1) < 1e-5)
    }

    @Test func colormapsRunFromTheirFirstToTheirLastStop() {
        #expect(Colormap.gray.color(0) == (0, 0, 0) && Colormap.gray.color(1) == (255, 255, 255))
        #expect(Colormap.jet.color(1) == (128, 0, 0))
        #expect(Colormap.jet.color(-3) == Colormap.jet.color(0))
        let blended = Colormap.gray.overlay(Heatmap(width: 1, height: 1, values: [1]), on: [0, 100, 200], alpha: 0.5)
        #expect(blended == [128, 178, 228])
    }
}
