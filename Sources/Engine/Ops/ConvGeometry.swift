/// The static shape of a 2-D convolution or pooling window over an NCHW input.
struct ConvGeometry: Sendable, Equatable {
    var batch: Int
    var inputChannels: Int, inputHeight: Int, inputWidth: Int
    var outputChannels: Int, outputHeight: Int, outputWidth: Int
    var kernelHeight: Int, kernelWidth: Int
    var strideHeight = 1, strideWidth = 1
    var dilationHeight = 1, dilationWidth = 1
    var padTop = 0, padLeft = 0
    var groups = 1

    var inputPlane: Int { inputHeight * inputWidth }
    var outputPlane: Int { outputHeight * outputWidth }
    var inputChannelsPerGroup: Int { inputChannels / groups }
    var outputChannelsPerGroup: Int { outputChannels / groups }
    /// Rows of the im2col matrix of one group: (C/g) * kh * kw.
    var columnRows: Int { inputChannelsPerGroup * kernelHeight * kernelWidth }

    /// A 1x1 window with stride 1 and no padding reads the input as a ready-made matrix.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && padTop == 0 && padLeft == 0 && outputHeight == inputHeight && outputWidth == inputWidth
    }

    /// One input channel per group: a direct loop beats im2col + GEMM with k = kh * kw.
    var isDepthwise: Bool { groups > 1 && inputChannelsPerGroup == 1 }

    /// For kernel column j: the output columns [start, start + count) whose input column
    /// ow * stride + offset lies inside [0, W), with offset = j * dilation - padLeft. Kernels
    /// loop over such runs so that padding is decided once per run, not once per multiply.
    struct ColumnRun: Sendable { var start: Int, count: Int, offset: Int }

    func columnRun(kernelColumn j: Int) -> ColumnRun {
        let offset = j * dilationWidth - padLeft
        let start = min(offset >= 0 ? 0 : (-offset + strideWidth - 1) / strideWidth, outputWidth)
        let limit = inputWidth - 1 - offset
        let end = limit < 0 ? 0 : min(outputWidth, limit / strideWidth + 1)
        return ColumnRun(start: start, count: max(0, end - start), offset: offset)
    }

    /// ONNX Conv/MaxPool output size (explicit pads):
    /// floor((in + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1,
    /// or ceil(...) with ceil_mode, where the last window must still start inside the input
    /// or the left padding (PyTorch's rule, which ONNX follows).
    static func outputSize(input: Int, kernel: Int, stride: Int, dilation: Int,
                           padBegin: Int, padEnd: Int, ceilMode: Bool = false) -> Int {
        let span = input + padBegin + padEnd - dilation * (kernel - 1) - 1
        guard span >= 0 else { return 0 }
        var size = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (size - 1) * stride >= input + padBegin { size -= 1 }
        return size
    }
}
