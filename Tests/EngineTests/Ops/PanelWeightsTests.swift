import Testing
@testable import Engine

/// PanelWeights' layout, which PointwiseProduct's forward and transposed products read.
struct PanelWeightsTests {
    /// Row r's weight for k is the value 1000 r + k: every position says where it came from.
    static func kernel(rows: Int, depth: Int) -> [Float] {
        (0..<rows * depth).map { Float(1000 * ($0 / depth) + $0 % depth) }
    }

    @Test(arguments: [(1, 1), (6, 3), (7, 5), (13, 40)])
    func eachPanelHoldsSixRowsSideBySideForEveryK(rows: Int, depth: Int) {
        let values = PanelWeights.pack(Self.kernel(rows: rows, depth: depth), rows: rows, depth: depth)
        let panels = (rows + 5) / 6
        #expect(values.count == panels * 6 * depth + 2)
        for panel in 0..<panels {
            for k in 0..<depth {
                for r in 0..<6 {
                    let row = panel * 6 + r
                    let expected: Float = row < rows ? Float(1000 * row + k) : 0  // rows past M are zeros
                    #expect(values[(panel * depth + k) * 6 + r] == expected, "panel \(panel) k \(k) row \(r)")
                }
            }
        }
        #expect(values.suffix(2) == [0, 0])
    }
}
