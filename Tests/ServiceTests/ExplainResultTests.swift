import Foundation
import TestSupport
import Testing
@testable import Service

struct ExplainResultTests {
    /// The order a stable sort by descending logit gives, equal logits by index.
    private func sortedOrder(_ logits: [Float]) -> [Int] {
        logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
    }

    /// Logits drawn from 40 values, so most have equals: the kept list (short lists) and the
    /// full sort (long ones) both start as the sort does, ties in index order.
    @Test(arguments: [1, 2, 5, ClassScore.shortList, ClassScore.shortList + 1, 999, 1000, 1200])
    func largestLogitsComeFirstAndTiesKeepIndexOrder(count: Int) {
        var generator = SplitMix64(state: UInt64(count))
        let logits = (0..<1000).map { _ in Float(Int.random(in: -20..<20, using: &generator)) / 4 }
        let expected = Array(sortedOrder(logits).prefix(count))
        #expect(ClassScore.largest(count, of: logits) == expected)
        // Ascending and descending runs: every logit enters the list, or none after the first.
        let rising = (0..<1000).map { Float($0) }
        #expect(ClassScore.largest(count, of: rising) == Array(sortedOrder(rising).prefix(count)))
        #expect(ClassScore.largest(count, of: rising.reversed()) == Array(sortedOrder(rising.reversed()).prefix(count)))
    }

    @Test func noLogitsOrNoneAskedForGiveAnEmptyList() {
        #expect(ClassScore.largest(0, of: [1, 2, 3]).isEmpty)
        #expect(ClassScore.largest(5, of: []).isEmpty)
        #expect(ClassScore.largest(5, of: [3, 1]) == [0, 1])
    }

    @Test func scoresAreTheSoftmaxOfTheLargestLogits() {
        let logits: [Float] = [1, 3, 2, 3]
        let scores = ClassScore.ranked(logits: logits, labels: ["a", "b", "c"], top: 3)
        #expect(scores.map(\.index) == [1, 3, 2])
        #expect(scores.map(\.label) == ["b", "class 3", "c"])
        let total = logits.map { expf($0 - 3) }.reduce(0, +)
        for score in scores { #expect(abs(score.probability - expf(score.logit - 3) / total) <= 1e-7) }
    }
}
