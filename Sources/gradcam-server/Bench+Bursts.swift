import Engine
import Foundation

extension Bench {
    /// `bench --bursts`: timed Grad-CAM passes on request, for a driver that alternates them with
    /// another runtime's (Benchmarks/compare.py, paired with onnxruntime).
    ///
    /// Why: this machine's speed changes within seconds (one run's forward passes of
    /// EfficientNet-Lite0 at 2 threads: p10 10 ms, p90 15 ms). Two runtimes measured one after the
    /// other, seconds apart, often meet different machines; bursts of a fraction of a second,
    /// taken in turn, meet the same one, and the ratio of each pair of bursts keeps that.
    ///
    /// Protocol, one line each way: after the `model` and `openblas core` lines this prints
    /// `ready`; each input line N (1...10000) runs 3 untimed passes then N timed ones and prints
    /// `burst forward=a,... backward=b,... gradcam=c,...` (ms per pass; the whole Grad-CAM is
    /// forward + backward + CAM). An empty line, end of input or anything else ends the command.
    func answerBursts(session: Session, input: [Float], layer: String) throws {
        print("ready")
        fflush(nil)  // all output streams: `stdout` is a mutable global to Swift 6
        while let line = readLine(), let count = Int(line.trimmingCharacters(in: .whitespaces)), (1...10_000).contains(count) {
            var forward = [Double](), backward = [Double](), gradcam = [Double]()
            for i in 0..<(count + 3) {
                let pass = try timedPass(session: session, input: input, layer: layer)
                if i >= 3 {
                    forward.append(pass.forward)
                    backward.append(pass.backward)
                    gradcam.append(pass.forward + pass.backward + pass.cam)
                }
            }
            func list(_ samples: [Double]) -> String { samples.map { String(format: "%.4f", $0) }.joined(separator: ",") }
            print("burst forward=\(list(forward)) backward=\(list(backward)) gradcam=\(list(gradcam))")
            fflush(nil)  // all output streams: `stdout` is a mutable global to Swift 6
        }
    }
}
