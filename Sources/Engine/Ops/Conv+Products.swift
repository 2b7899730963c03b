extension Conv {
    /// A 1x1 convolution without groups: PointwiseProduct per image, the threads sharing
    /// bands of columns, or panels of output channels when the columns are too few to share or
    /// fewer than the output channels (Parallelism.sharesOutputChannels).
    func pointwiseForward(_ io: StepIO) {
        let g = geometry, plane = g.outputPlane
        guard let panels else { preconditionFailure("an ungrouped convolution keeps its kernel in panels") }
        let residual = addsResidual ? io.input(1) : nil
        panels.values.withUnsafeBufferPointer { w in
            func multiply(_ n: Int, rows: Range<Int>, columns: Range<Int>, thread: Int) {
                PointwiseProduct.multiply(rows: rows, columns: columns, k: g.inputChannels, panels: w.baseAddress!,
                                          bias: bias, clamp: clamp, residual: residual.map { $0 + n * g.outputChannels * plane },
                                          x: io.input(0) + n * g.inputChannels * plane, ldx: plane,
                                          y: io.output + n * g.outputChannels * plane, ldy: plane, scratch: io.scratch(forThread: thread))
            }
            for n in 0..<g.batch {
                if io.parallelism.sharesOutputChannels(g.outputChannels, columns: plane) {
                    io.parallelism.forEachPiece(of: g.outputChannels, granule: PointwiseProduct.panelRows) { rows, thread in
                        multiply(n, rows: rows, columns: 0..<plane, thread: thread)
                    }
                } else {
                    io.parallelism.forEachPiece(of: plane, granule: PointwiseProduct.stripColumns) { band, thread in
                        multiply(n, rows: 0..<g.outputChannels, columns: band, thread: thread)
                    }
                }
            }
        }
    }

    /// Everything else without groups: im2col builds the column rows of a few input channels at
    /// a time (about PointwiseProduct.chunk rows, which stay in L2 while they are used; the
    /// whole matrix of a 3x3 convolution at 14 x 14 is 1.8 MB) and PointwiseProduct adds their
    /// product into Y; where the window keeps the row width at stride 1, PointwiseProduct packs
    /// its strips from the input instead (Im2Col.ShiftedPlanes) and no column row is built.
    /// The threads share tiles of output rows, or bands of output channels when the plane is
    /// too small to share by columns (or, for the strips packed from the input, has fewer
    /// columns than output channels: Parallelism.sharesOutputChannels); each thread then builds
    /// the same column rows for itself, which costs less than waiting for each other after
    /// every part.
    func im2colForward(_ io: StepIO) {
        let g = geometry, window = g.kernelHeight * g.kernelWidth
        let layout = Im2ColParts(g)
        guard let panels else { preconditionFailure("an ungrouped convolution keeps its kernel in panels") }
        let residualInput = addsResidual ? io.input(1) : nil
        panels.values.withUnsafeBufferPointer { w in
            func produce(_ n: Int, rows: Range<Int>, outputRows: Range<Int>, thread: Int) {
                let columns = io.scratch(forThread: thread), count = outputRows.count * g.outputWidth
                let input = io.input(0) + n * g.inputChannels * g.inputPlane
                let tile = n * g.outputChannels * g.outputPlane + outputRows.lowerBound * g.outputWidth
                let output = io.output + tile, residual = residualInput.map { $0 + tile }
                if layout.readsShiftedPlanes {
                    PointwiseProduct.multiply(rows: rows, columns: 0..<count, depth: 0..<g.columnRows, k: g.columnRows, panels: w.baseAddress!,
                                              bias: bias, clamp: clamp, residual: residual,
                                              source: Im2Col.ShiftedPlanes(g, input: input, outputRows: outputRows),
                                              y: output, ldy: g.outputPlane, scratch: columns)
                    return
                }
                for first in stride(from: 0, to: g.inputChannels, by: layout.channelsPerPart) {
                    let channels = first..<min(g.inputChannels, first + layout.channelsPerPart)
                    Im2Col.pack(g, channels: channels, outputRows: outputRows, input: input, columns: columns, firstChannel: first)
                    PointwiseProduct.multiply(rows: rows, columns: 0..<count, depth: (first * window)..<(channels.upperBound * window),
                                              k: g.columnRows, panels: w.baseAddress!, bias: bias, clamp: clamp, residual: residual,
                                              x: columns, ldx: count, y: output, ldy: g.outputPlane, scratch: columns + layout.partCount)
                }
            }
            for n in 0..<g.batch {
                let byChannels = layout.readsShiftedPlanes ? io.parallelism.sharesOutputChannels(g.outputChannels, columns: g.outputPlane)
                    : io.parallelism.tooFewToShare(columns: g.outputPlane)
                if byChannels {
                    let tiles = Im2Col.tiles(g, threads: 1)
                    io.parallelism.forEachPiece(of: g.outputChannels, granule: PointwiseProduct.panelRows) { rows, thread in
                        for tile in 0..<tiles.count {
                            produce(n, rows: rows, outputRows: tiles.rows(ofBlock: tile), thread: thread)
                        }
                    }
                } else {
                    let tiles = Im2Col.tiles(g, threads: io.parallelism.threads)
                    io.parallelism.forEachPiece(of: tiles.count) { range, thread in
                        for tile in range {
                            produce(n, rows: 0..<g.outputChannels, outputRows: tiles.rows(ofBlock: tile), thread: thread)
                        }
                    }
                }
            }
        }
    }
}

/// How im2colForward cuts the column matrix: the column rows of `channelsPerPart` input
/// channels at a time, for a tile of output rows, then PointwiseProduct's packed strips; or,
/// with `readsShiftedPlanes`, only the packed strips.
struct Im2ColParts {
    let readsShiftedPlanes: Bool
    let channelsPerPart: Int
    /// Floats of one part at the widest tile (none when the strips come from the input).
    let partCount: Int
    let scratchCount: Int

    init(_ g: ConvGeometry) {
        let window = g.kernelHeight * g.kernelWidth, widest = Im2Col.widestTile(g)
        readsShiftedPlanes = Im2Col.readsShiftedPlanes(g)
        channelsPerPart = min(g.inputChannels, max(1, PointwiseProduct.chunk / window))
        partCount = readsShiftedPlanes ? 0 : channelsPerPart * window * widest
        scratchCount = partCount + PointwiseProduct.scratchCount(k: readsShiftedPlanes ? g.columnRows : channelsPerPart * window, columns: widest)
    }
}
