import Testing
@testable import CAM

/// Resampling and scaling against OpenCV, whose cv2.resize(INTER_LINEAR) pytorch-grad-cam uses.
struct HeatmapTests {
    @Test func bilinearUpsamplingMatchesOpenCV() {
        let map = Heatmap(width: 3, height: 3, values: [0, 1, 2, 3, 4, 5.5, -1, 0.5, 2])
        // cv2.resize(map, (7, 5), interpolation=cv2.INTER_LINEAR), OpenCV 5.0
        let expected: [Float] = [0, 0.1428571, 0.5714286, 1, 1.428571, 1.857143, 2, 1.2, 1.342857, 1.771429, 2.2, 2.714286, 3.228571, 3.4,
                                 3, 3.142857, 3.571429, 4, 4.642857, 5.285714, 5.5, 0.5999999, 0.7857143, 1.342857, 1.9, 2.542857, 3.185714, 3.4,
                                 -1, -0.7857143, -0.1428571, 0.5, 1.142857, 1.785714, 2]
        let resized = map.resized(width: 7, height: 5)
        #expect(resized.width == 7 && resized.height == 5)
        for (a, b) in zip(resized.values, expected) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func bilinearDownsamplingMatchesOpenCV() {
        let map = Heatmap(width: 6, height: 6, values: (0..<36).map(Float.init))
        // cv2.resize(np.arange(36).reshape(6, 6), (4, 3), interpolation=cv2.INTER_LINEAR)
        let expected: [Float] = [3.25, 4.75, 6.25, 7.75, 15.25, 16.75, 18.25, 19.75, 27.25, 28.75, 30.25, 31.75]
        #expect(map.resized(width: 4, height: 3).values == expected)
    }

    @Test func normalisationScalesToUnitRangeLikePytorchGradCAM() {
        let map = Heatmap(width: 2, height: 2, values: [2, 4, 6, 10]).normalised()
        #expect(map.values.first == 0)
        #expect(abs(map.values[3] - 8 / (8 + 1e-7)) < 1e-6)
        #expect(abs(map.values[1] - 0.25) < 1e-6)
        // An all-zero map stays zero instead of dividing by zero.
        #expect(Heatmap(width: 2, height: 1, values: [0, 0]).normalised().values == [0, 0])
    }

    @Test func peakIsTheFirstLargestValue() {
        let map = Heatmap(width: 3, height: 2, values: [0, 1, 0, 5, 2, 5])
        #expect(map.peak.x == 0 && map.peak.y == 1)
        #expect(map.rows == [[0, 1, 0], [5, 2, 5]])
    }
}
