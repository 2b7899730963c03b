import Engine
import Foundation

extension Bench {
    /// `bench --profile`: the mean milliseconds per pass of each operator, forward and backward
    /// to the layer, over `iterations` passes; then the forward pass by convolution shape, the
    /// best pass next to the mean. On a shared machine a layer's best pass is the layer without
    /// its neighbours' interference, and the mean carries it (Benchmarks/README.md, 2026-12-06):
    /// the best pass is what to compare with another runtime's layers, or before and after a change.
    func printProfile(session: Session, input: [Float], layer: String) throws {
        var forwardTotals = [String: Double](), backwardTotals = [String: Double]()
        var shapeBest = [String: Double](), shapeMean = [String: Double]()
        let share = 1 / Double(iterations)
        for _ in 0..<iterations {
            for (k, v) in try session.profileForward() { forwardTotals[k, default: 0] += v * share }
            for (k, v) in try session.profileForward(byShape: true) {
                shapeBest[k] = min(shapeBest[k] ?? .infinity, v)
                shapeMean[k, default: 0] += v * share
            }
            _ = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: layer) }
            for (k, v) in try session.profileBackward(class: 0, layer: layer) { backwardTotals[k, default: 0] += v * share }
        }
        for (title, totals) in [("forward", forwardTotals), ("backward to the layer", backwardTotals)] {
            print("profile, \(title): ms per pass by operator")
            for (k, v) in totals.sorted(by: { $0.value > $1.value }) { print(String(format: "  %8.3f ms  ", v) + k) }
        }
        print("profile, forward by shape (channels, kernel/stride, output plane; one shape's layers summed): best and mean ms per pass")
        for (k, mean) in shapeMean.sorted(by: { $0.value > $1.value }) {
            print(String(format: "  %8.3f %8.3f ms  ", shapeBest[k] ?? 0, mean) + k)
        }
        print(String(format: "  %8.3f %8.3f ms  all", shapeBest.values.reduce(0, +), shapeMean.values.reduce(0, +)))
    }
}
