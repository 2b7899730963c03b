import Testing
@testable import Engine

struct ParallelismTests {
    /// Products packed straight from memory are shared by output channels when the columns are
    /// too few to share (under 64 a thread) or fewer than the output channels; by columns else.
    @Test func productsAreSharedByTheLargerOperand() {
        let two = Parallelism(threads: 2)
        #expect(two.sharesOutputChannels(256, columns: 196))    // ResNet-50's 14 x 14 layers
        #expect(!two.sharesOutputChannels(112, columns: 196))
        #expect(!two.sharesOutputChannels(512, columns: 784))
        #expect(two.sharesOutputChannels(8, columns: 100))      // under 64 columns a thread
        #expect(!two.sharesOutputChannels(128, columns: 128))
    }
}
