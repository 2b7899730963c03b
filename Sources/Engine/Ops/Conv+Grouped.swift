import Tensor

extension Conv {
    /// Forward of a grouped convolution that is not depthwise: per image and group, sgemm on
    /// the input plane (1x1) or on im2col columns, a tile of output rows at a time.
    func groupedForward(_ io: StepIO) {
        let g = geometry
        let x = io.input(0), y = io.output, plane = g.outputPlane, rows = g.outputChannelsPerGroup
        weight.withUnsafeBufferPointer { w in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let input = x + (n * g.inputChannels + group * g.inputChannelsPerGroup) * g.inputPlane
                    let firstChannel = group * rows
                    let output = y + (n * g.outputChannels + firstChannel) * plane
                    let a = w.baseAddress! + group * rows * g.columnRows
                    // Output channels `channels` x columns [first, first + count) through bias,
                    // sgemm and clamp. The bias is written first and sgemm adds onto it (beta = 1):
                    // with beta = 0 sgemm spends a pass zeroing C, and adding the bias after would be
                    // another. The clamp follows while the columns are still in cache.
                    func produce(_ channels: Range<Int>, columns b: UnsafePointer<Float>, ldb: Int, first: Int, count: Int) {
                        let c = output + channels.lowerBound * plane + first
                        if let bias {
                            for r in 0..<channels.count { (c + r * plane).update(repeating: bias[firstChannel + channels.lowerBound + r], count: count) }
                        }
                        GEMM.multiply(m: channels.count, n: count, k: g.columnRows, a: a + channels.lowerBound * g.columnRows, lda: g.columnRows,
                                      b: b, ldb: ldb, beta: bias == nil ? 0 : 1, c: c, ldc: plane)
                        if let clamp { for r in 0..<channels.count { clamp.apply(c + r * plane, count: count) } }
                    }
                    // A plane too small to share by columns (a 7x7 stage): each thread multiplies
                    // a band of output channels by all the columns instead (10-20% faster on
                    // ResNet's 7x7 stage when ungrouped convolutions still ran here).
                    let sharesChannels = io.parallelism.tooFewToShare(columns: plane)
                    if g.isPointwise {  // the input plane is the column matrix
                        if sharesChannels {
                            io.parallelism.forEachPiece(of: rows, granule: 8) { channels, _ in
                                produce(channels, columns: input, ldb: plane, first: 0, count: plane)
                            }
                        } else {  // bands of whole cache lines
                            io.parallelism.forEachPiece(of: plane, granule: 16) { band, _ in
                                produce(0..<rows, columns: input + band.lowerBound, ldb: plane, first: band.lowerBound, count: band.count)
                            }
                        }
                        continue
                    }
                    let tiles = Im2Col.tiles(g, threads: io.parallelism.threads)
                    if sharesChannels && io.parallelism.threads > 1 && Im2Col.tiles(g, threads: 1).count == 1 {
                        // The threads pack one column matrix together first.
                        let columns = io.scratch
                        io.parallelism.forEachPiece(of: g.inputChannelsPerGroup) { channels, _ in
                            Im2Col.pack(g, channels: channels, outputRows: 0..<g.outputHeight, input: input, columns: columns)
                        }
                        io.parallelism.forEachPiece(of: rows, granule: 8) { channels, _ in
                            produce(channels, columns: columns, ldb: plane, first: 0, count: plane)
                        }
                        continue
                    }
                    // Each thread packs and multiplies its own tiles of output rows, in its own scratch.
                    io.parallelism.forEachPiece(of: tiles.count) { tileRange, thread in
                        let columns = io.scratch(forThread: thread)
                        for tile in tileRange {
                            let outputRows = tiles.rows(ofBlock: tile)
                            let count = outputRows.count * g.outputWidth
                            Im2Col.pack(g, channels: 0..<g.inputChannelsPerGroup, outputRows: outputRows, input: input, columns: columns)
                            produce(0..<rows, columns: columns, ldb: count, first: outputRows.lowerBound * g.outputWidth, count: count)
                        }
                    }
                }
            }
        }
    }
}
