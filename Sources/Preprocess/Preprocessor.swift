import ImageCodecs

/// Decoded image → the network's input tensor, exactly as the reference Python pipeline
/// (Pillow resize, torchvision CenterCrop, ToTensor, Normalize) computes it.
public enum Preprocessor {
    /// The normalised input tensor, shape (3, spec.height, spec.width), channel-major.
    /// `spec` must be valid (`PreprocessSpec.validate()`; decoding a spec validates it).
    public static func tensor(from image: RGBImage, spec: PreprocessSpec) -> [Float] {
        tensor(fromResized: resized(image, spec: spec), spec: spec)
    }

    /// The 8-bit image the network sees, `spec.width x spec.height`: what heatmaps overlay.
    /// An empty image (never produced by ImageDecoder) gives a black one.
    public static func resized(_ image: RGBImage, spec: PreprocessSpec) -> RGBImage {
        precondition((try? spec.validate()) != nil, "Preprocessor needs a validated PreprocessSpec")
        let filter = ResampleFilter(spec.interpolation)
        guard image.width > 0, image.height > 0 else {
            return RGBImage(width: spec.width, height: spec.height, pixels: Array(repeating: 0, count: spec.width * spec.height * 3))
        }
        switch spec.resize {
        case .exact:
            return Resampler.resize(image, width: spec.width, height: spec.height,
                                    columns: 0..<spec.width, rows: 0..<spec.height, filter: filter)
        case .shorterSide(let side):
            // Resize then CenterCrop, computing only the part of the resized image the crop keeps.
            let scaled = shorterSideSize(width: image.width, height: image.height, shorterSide: side)
            let left = centerCropOffset(size: scaled.width, crop: spec.width)
            let top = centerCropOffset(size: scaled.height, crop: spec.height)
            let columns = max(left, 0)..<min(left + spec.width, scaled.width)
            let rows = max(top, 0)..<min(top + spec.height, scaled.height)
            let kept = Resampler.resize(image, width: scaled.width, height: scaled.height,
                                        columns: columns, rows: rows, filter: filter)
            if kept.width == spec.width && kept.height == spec.height { return kept }
            return kept.placed(onBlackWidth: spec.width, height: spec.height,
                               x: columns.lowerBound - left, y: rows.lowerBound - top)
        }
    }

    /// ToTensor then Normalize, on an image already at the network size:
    /// (x / 255 - mean[c]) / std[c] in Float, the operations torch performs in float32.
    public static func tensor(fromResized image: RGBImage, spec: PreprocessSpec) -> [Float] {
        let plane = image.width * image.height
        guard plane > 0 else { return [] }
        // Each channel's loop writes every element of its plane, so the tensor is not zeroed first.
        return [Float](unsafeUninitializedCapacity: 3 * plane) { tensor, initialized in
            for channel in 0..<3 {
                let sourceChannel = spec.channelOrder == .rgb ? channel : 2 - channel
                // 256 possible inputs: a table gives the same Floats as computing each one.
                let table = (0...255).map { (Float($0) / 255 - spec.mean[channel]) / spec.std[channel] }
                // Unchecked buffers: every index is a byte (< 256) or a pixel of the image.
                table.withUnsafeBufferPointer { table in
                    image.pixels.withUnsafeBufferPointer { pixels in
                        let output = tensor.baseAddress! + channel * plane
                        var source = sourceChannel
                        for pixel in 0..<plane {
                            output[pixel] = table[Int(pixels[source])]
                            source &+= 3
                        }
                    }
                }
            }
            initialized = 3 * plane
        }
    }

    /// torchvision's _compute_resized_output_size for an int size: the shorter side becomes
    /// `shorterSide`, the longer `int(shorterSide * long / short)` (true division, truncated).
    static func shorterSideSize(width: Int, height: Int, shorterSide: Int) -> (width: Int, height: Int) {
        let (short, long) = width <= height ? (width, height) : (height, width)
        let newLong = Int(Double(shorterSide * long) / Double(short))
        return width <= height ? (shorterSide, newLong) : (newLong, shorterSide)
    }
}
