/// Spatial means of K planes of Z values each, (K, Z) row-major: the global average pooling
/// that Grad-CAM's Eq. 1 applies to the gradients.
enum ChannelSums {
    /// Each plane is summed in order, one position after the other, as a plain loop would.
    /// Eight planes run side by side, one per lane: a single running sum waits on the latency of
    /// each add, while eight independent sums keep the adder busy without changing any plane's
    /// order of additions.
    static func means(of planes: UnsafeBufferPointer<Float>, channels: Int, positions z: Int) -> [Float] {
        precondition(planes.count >= channels * z, "\(planes.count) values for \(channels) planes of \(z)")
        guard channels > 0, z > 0, let base = planes.baseAddress else { return [Float](repeating: .nan, count: channels) }
        return [Float](unsafeUninitializedCapacity: channels) { means, count in
            var k = 0
            while k + 8 <= channels {
                var sums = SIMD8<Float>()
                for i in 0..<z {
                    let p = base + k * z + i
                    sums += SIMD8(p[0], p[z], p[2 * z], p[3 * z], p[4 * z], p[5 * z], p[6 * z], p[7 * z])
                }
                for lane in 0..<8 { means[k + lane] = sums[lane] / Float(z) }
                k += 8
            }
            while k < channels {
                var sum: Float = 0
                for i in 0..<z { sum += base[k * z + i] }
                means[k] = sum / Float(z)
                k += 1
            }
            count = channels
        }
    }
}
