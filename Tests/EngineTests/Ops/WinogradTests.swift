import Testing
@testable import Engine

/// Winograd F(2x2, 3x3)'s pieces alone; its forward against a direct convolution is in ConvTests.
struct WinogradTests {
    private func geometry(size: Int, kernel: Int = 3, stride: Int = 1, dilation: Int = 1, groups: Int = 1) -> ConvGeometry {
        let out = ConvGeometry.outputSize(input: size, kernel: kernel, stride: stride, dilation: dilation, padBegin: 1, padEnd: 1)
        return ConvGeometry(batch: 1, inputChannels: 4, inputHeight: size, inputWidth: size, outputChannels: 4,
                            outputHeight: out, outputWidth: out, kernelHeight: kernel, kernelWidth: kernel,
                            strideHeight: stride, strideWidth: stride, dilationHeight: dilation, dilationWidth: dilation,
                            padTop: 1, padLeft: 1, groups: groups)
    }

    @Test func compilerUsesItOnlyFor3x3Stride1ConvolutionsOfAtLeast28x28() {
        #expect(Winograd3x3.pays(for: geometry(size: 28)))
        #expect(Winograd3x3.pays(for: geometry(size: 56)))
        #expect(!Winograd3x3.pays(for: geometry(size: 14)))
        #expect(!Winograd3x3.pays(for: geometry(size: 56, stride: 2)))
        #expect(!Winograd3x3.pays(for: geometry(size: 56, dilation: 2)))
        #expect(!Winograd3x3.pays(for: geometry(size: 56, groups: 2)))
        #expect(!Winograd3x3.pays(for: geometry(size: 56, kernel: 5)))
    }

    /// U = G g G^T. For g = e_a e_b^T (a single tap) U is the outer product of G's columns a
    /// and b; G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] (Lavin & Gray, eq. 8).
    @Test func transformedWeightsAreGgGTransposed() {
        let G: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        for a in 0..<3 {
            for b in 0..<3 {
                var g = [Float](repeating: 0, count: 9)
                g[a * 3 + b] = 1
                let u = Winograd3x3.transformWeights(g, outputChannels: 1, inputChannels: 1)
                for i in 0..<4 { for j in 0..<4 { #expect(u[i * 4 + j] == G[i][a] * G[j][b]) } }
            }
        }
    }

    /// At ResNet-50's 64-channel layer on 56 x 56 (28 tile rows, at most 4 per block) the two
    /// threads get 14 tile rows each; blocks of a fixed size gave one thread 12 and the other 16.
    @Test func blocksGiveEachThreadAnEqualShareOfTileRows() {
        for (size, channels) in [(56, 64), (56, 4), (28, 128)] {
            var g = geometry(size: size)
            (g.inputChannels, g.outputChannels) = (channels, channels)
            let conv = Winograd3x3(g)
            for threads in 1...4 {
                let blocks = conv.blocks(threads: threads)
                #expect(blocks.rows == conv.tilesHigh)
                #expect(threads == 1 || blocks.count % threads == 0 || blocks.count == conv.tilesHigh)
                #expect(blocks.largest <= conv.blocks(threads: 1).largest)  // scratch is sized for one thread's block
                let shares = (0..<threads).map { t in
                    (blocks.count * t / threads..<blocks.count * (t + 1) / threads).map { blocks.rows(ofBlock: $0).count }.reduce(0, +)
                }
                #expect(shares.max()! - shares.min()! <= blocks.count / threads, "size \(size), \(channels) channels, \(threads) threads: \(shares)")
                if size == 56 && channels == 64 && threads == 2 { #expect(shares == [14, 14]) }
            }
        }
    }
}
