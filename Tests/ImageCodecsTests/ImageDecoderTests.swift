import TestSupport
import Dispatch
import ImageCodecs
import Synchronization
import Testing

@Suite struct ImageDecoderTests {
    @Test func rejectsRandomBytesAsUnsupportedFormat() {
        var random = SplitMix64(state: 7)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        #expect(throws: ImageDecodeError.unsupportedFormat) { _ = try ImageDecoder.decode(bytes) }
        #expect(throws: ImageDecodeError.unsupportedFormat) { _ = try ImageDecoder.decode([]) }
    }

    @Test func rejectsPNGSignatureAlone() {
        #expect(throws: ImageDecodeError.self) {
            _ = try ImageDecoder.decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        }
    }

    @Test(arguments: ["rgb8.png", "baseline420.jpg", "progressive.jpg", "ga16_interlaced.png"])
    func survivesThousandRandomMutations(_ name: String) throws {
        let original = try Fixtures.bytes(name)
        var random = SplitMix64(state: 0x5EED)
        var decoded = 0, rejected = 0
        for _ in 0..<1000 {
            var mutated = original
            // 1-8 changes: flipped bytes, and sometimes a truncation.
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random), Bool.random(using: &random) {
                mutated.removeLast(Int.random(in: 1..<mutated.count, using: &random))
            }
            do {
                let image = try ImageDecoder.decode(mutated)
                #expect(image.pixels.count == image.width * image.height * 3)
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        #expect(decoded + rejected == 1000)
        #expect(rejected > 0)
    }

    /// Workers decode concurrently; each call owns its libpng/TurboJPEG state.
    @Test func decodesConcurrentlyWithSameResults() throws {
        let files = try ["rgb16.png", "pal8_trns.png", "progressive.jpg", "gray.jpg"].map(Fixtures.bytes)
        let expected = try files.map { try ImageDecoder.decode($0) }
        let results = Mutex<[RGBImage?]>(Array(repeating: nil, count: 64))
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let image = try? ImageDecoder.decode(files[i % files.count])
            results.withLock { $0[i] = image }
        }
        let decoded = results.withLock { $0 }
        for i in 0..<64 { #expect(decoded[i] == expected[i % files.count]) }
    }
}
