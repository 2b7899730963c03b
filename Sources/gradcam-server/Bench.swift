import ArgumentParser
import CAM
import Engine
import Foundation
import Service
import Tensor

/// `gradcam-server bench`: engine latency per stage and throughput with all workers.
/// Prints figures; it asserts nothing (performance is measured, never tested).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure forward, backward and CAM latency and images/s.")

    @Option(help: "An .onnx file or a model directory (default: the bundled model).")
    var model: String?
    @Option(help: "Target layer (default: the model's).")
    var layer: String?
    @Option(help: "Threads the latency run splits each convolution over (OpenBLAS itself runs 1).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Timed iterations per measurement.")
    var iterations: Int = 50
    @Option(help: "Workers for the throughput run (each with one BLAS thread).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seconds of the throughput run.")
    var seconds: Double = 5
    @Option(help: "Images per forward pass in the throughput run: measures what batching waiting requests would gain.")
    var batch: Int = 1
    @Flag(help: "Also print where the forward pass and the backward pass to the layer spend their time, by operator, and the forward pass by convolution shape (best and mean pass).")
    var profile = false
    @Flag(help: "Instead of the runs above, read burst sizes from standard input, one per line, and answer each with that many timed Grad-CAM passes (Benchmarks/compare.py pairs them with onnxruntime's).")
    var bursts = false

    func run() throws {
        let bundle = try ModelBundle.load(path: model ?? ModelBundle.defaultModelPath())
        let m = bundle.model
        guard let target = layer ?? bundle.defaultLayer else { throw ValidationError("the model has no layer to explain") }
        var generator = SystemRandomNumberGenerator()
        let input = (0..<m.inputShape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) }

        // One BLAS thread; the engine splits each convolution over `threads` (Parallelism).
        // Measured on 2 cores, this was faster than 2 OpenBLAS threads, which leave the
        // depthwise convolutions and epilogues on one core.
        BLASRuntime.setThreadCount(1)
        let session = Session(model: m, parallelism: Parallelism(threads: threads))
        print("model \(bundle.manifest.name)  layer \(target)  input \(m.inputShape)")
        print("openblas core \(BLASRuntime.coreName)  threads \(threads)  iterations \(iterations)")
        if bursts {
            try answerBursts(session: session, input: input, layer: target)
            return
        }
        var forward = [Double](), backward = [Double](), cam = [Double]()
        for i in 0..<(iterations + 3) {
            let pass = try timedPass(session: session, input: input, layer: target)
            if i >= 3 { forward.append(pass.forward); backward.append(pass.backward); cam.append(pass.cam) }
        }
        let total = zip(zip(forward, backward), cam).map { $0.0 + $0.1 + $1 }
        print("stage          median     p10      p90   (ms)")
        for (name, samples) in [("forward", forward), ("backward", backward), ("cam", cam), ("gradcam total", total)] {
            print(name.padding(toLength: 13, withPad: " ", startingAt: 0) + String(format: " %8.2f %8.2f %8.2f", percentile(samples, 0.5), percentile(samples, 0.1), percentile(samples, 0.9)))
        }
        if let idle = session.idleThreadShare {
            print(String(format: "threads idle  %.1f%% of the split operators' thread time, waiting for the slowest piece", 100 * idle))
        }
        if profile { try printProfile(session: session, input: input, layer: target) }
        let rate = throughput(model: m, layer: target, input: input)
        print(String(format: "throughput    %.1f images/s with %d workers (forward+backward+cam, 1 BLAS thread each, batch %d)", rate, workers, batch))
        print("peak RSS      \(peakResidentMegabytes()) MB")
    }

    /// One Grad-CAM of the top class, as the service computes it: milliseconds of each stage.
    func timedPass(session: Session, input: [Float], layer: String) throws -> (forward: Double, backward: Double, cam: Double) {
        let shape = session.model.inputShape
        let t0 = now()
        let logits = try input.withUnsafeBufferPointer { try session.forward($0, retainingGradientPathTo: layer) }
        let t1 = now()
        let c = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        let g = try session.backward(classes: [c], layer: layer)
        let t2 = now()
        let maps = FeatureMaps(channels: g.channels, height: g.height, width: g.width, activations: g.activations[...], gradients: g.gradients[...])
        _ = try CAMComposer.explain(maps, classIndex: c, method: GradCAM(), width: shape[2], height: shape[1])
        return (t1 - t0, t2 - t1, now() - t2)
    }

    private func throughput(model: Model, layer: String, input: [Float]) -> Double {
        BLASRuntime.setThreadCount(1)
        let deadline = now() + seconds * 1000
        let counter = Counter()
        let group = DispatchGroup()
        let images = max(1, batch)
        let batchInput = Array([[Float]](repeating: input, count: images).joined())
        for _ in 0..<workers {
            let thread = Thread {
                let session = Session(model: model)
                while now() < deadline {
                    let g: LayerGradients
                    do {
                        _ = try batchInput.withUnsafeBufferPointer { try session.forward($0, batch: images, retainingGradientPathTo: layer) }
                        g = try session.backward(classes: Array(repeating: 0, count: images), layer: layer)
                    } catch {
                        counter.fail("\(error)")
                        break
                    }
                    let perImage = g.channels * g.height * g.width
                    for n in 0..<images {
                        let slice = (n * perImage)..<((n + 1) * perImage)
                        let maps = FeatureMaps(channels: g.channels, height: g.height, width: g.width,
                                               activations: g.activations[slice], gradients: g.gradients[slice])
                        _ = try? CAMComposer.explain(maps, classIndex: 0, method: GradCAM(), width: model.inputShape[2], height: model.inputShape[1])
                    }
                    counter.increment(by: images)
                }
                group.leave()
            }
            group.enter()
            thread.start()
        }
        let start = now()
        group.wait()
        if let failure = counter.failure { print("throughput    failed: \(failure)") }
        return Double(counter.value) / ((now() - start) / 1000)
    }
}

/// A thread-safe count of finished images, and the first error a worker met.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var firstFailure: String?
    func increment(by n: Int = 1) { lock.lock(); count += n; lock.unlock() }
    func fail(_ message: String) { lock.lock(); firstFailure = firstFailure ?? message; lock.unlock() }
    var failure: String? { lock.lock(); defer { lock.unlock() }; return firstFailure }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }

func percentile(_ samples: [Double], _ p: Double) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
}

func peakResidentMegabytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) / 1024
}
