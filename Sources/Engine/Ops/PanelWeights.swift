/// The kernel of an ungrouped convolution, W (M, K) with K = C * kh * kw, stored in the order
/// PointwiseProduct reads it: panels of six rows, and within a panel the six rows' weights
/// for one k side by side. Row r's weight for k is at (r / 6 * K + k) * 6 + r % 6; the rows
/// of the last panel past M are zeros.
///
/// Why: the product's tile broadcasts six rows' weights for every k. In the model's row-major
/// order those six floats lie K floats apart: six streams from memory at once, whose lines
/// fall into the same few sets of the 8-way L1 when K is a multiple of 512 floats (all six in
/// one set at K = 1024). In panels they are 24 consecutive bytes and a panel's chunk of k is
/// one run for the prefetcher. Forward pass with a packed copy beside the row-major kernel,
/// alternating per pass in one process (`bench --profile`): ResNet-50 0.96 at 1 thread and
/// 0.92 at 2, EfficientNet-Lite0 0.94 at 1 thread, MobileNetV2 0.95 and ResNet-18 0.98 at 2
/// threads; the pointwise layers with K of 1024 and 2048 gained most (0.84-0.93). Figures of
/// the whole change, next to onnxruntime and in the service's throughput, in Benchmarks/README.
///
/// The panels replace the row-major copy rather than sit beside it (ResNet-50's kernels are
/// 94 MB): backward's dX = W^T dY reads them too (PointwiseProduct.multiplyTransposed).
struct PanelWeights: Sendable {
    /// Rows per panel: the height of PointwiseProduct's tile.
    static let rowsPerPanel = PointwiseProduct.panelRows
    /// M and K (Conv checks them against its geometry).
    let rows: Int, depth: Int
    /// The panels, then two zeros: a dot column's 8-float loads reach two floats past the last k.
    let values: [Float]

    /// Floats of the packed form of an M x K kernel.
    static func count(rows: Int, depth: Int) -> Int {
        (rows + rowsPerPanel - 1) / rowsPerPanel * rowsPerPanel * depth + 2
    }

    /// The panels of a row-major M x K kernel.
    static func pack(_ weight: [Float], rows: Int, depth: Int) -> [Float] {
        precondition(weight.count == rows * depth, "a kernel of \(rows) x \(depth) holds \(rows * depth) floats")
        var values = [Float](repeating: 0, count: count(rows: rows, depth: depth))
        for row in 0..<rows {
            let base = row / rowsPerPanel * rowsPerPanel * depth + row % rowsPerPanel
            for k in 0..<depth { values[base + k * rowsPerPanel] = weight[row * depth + k] }
        }
        return values
    }

    /// Wraps values that `pack` produced (the compiler caches them, shared by every batch size's plan).
    init(values: [Float], rows: Int, depth: Int) {
        precondition(values.count == Self.count(rows: rows, depth: depth), "not the panels of a \(rows) x \(depth) kernel")
        self.rows = rows
        self.depth = depth
        self.values = values
    }

    init(packing weight: [Float], rows: Int, depth: Int) {
        self.init(values: Self.pack(weight, rows: rows, depth: depth), rows: rows, depth: depth)
    }
}
