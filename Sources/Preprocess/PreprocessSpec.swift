/// How a model wants its input: the reference Python pipeline
/// `Resize(shorterSide, interpolation) -> CenterCrop((height, width)) -> ToTensor -> Normalize(mean, std)`
/// (torchvision on PIL images), or a plain stretch to `width x height`.
///
/// JSON shape (keys as the property names):
/// ```json
/// { "width": 224, "height": 224,
///   "resize": { "shorterSide": 256 },        // or { "exact": true }
///   "interpolation": "bicubic",               // or "bilinear"
///   "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
///   "channelOrder": "rgb" }                   // or "bgr"
/// ```
/// `mean[c]` and `std[c]` apply to tensor channel `c`, i.e. in `channelOrder` order.
/// Decoding validates (see `validate()`).
public struct PreprocessSpec: Codable, Sendable, Equatable {
    /// Network input width and height (the crop, or the stretch target).
    public var width: Int
    public var height: Int
    public var resize: ResizePolicy
    public var interpolation: Interpolation
    /// Per tensor channel, applied to x / 255: (x / 255 - mean) / std.
    public var mean: [Float]
    public var std: [Float]
    public var channelOrder: ChannelOrder

    /// Largest accepted width, height or shorter side: a bound on memory per request.
    public static let maximumSide = 8192

    public init(width: Int, height: Int, resize: ResizePolicy, interpolation: Interpolation,
                mean: [Float], std: [Float], channelOrder: ChannelOrder) {
        self.width = width
        self.height = height
        self.resize = resize
        self.interpolation = interpolation
        self.mean = mean
        self.std = std
        self.channelOrder = channelOrder
    }

    /// Throws unless every size is in 1...maximumSide and there are 3 means and 3 finite,
    /// non-zero standard deviations. `Preprocessor` requires a valid spec.
    public func validate() throws(PreprocessSpecError) {
        let range = 1...Self.maximumSide
        guard range.contains(width), range.contains(height) else {
            throw .sizeOutOfRange(width: width, height: height)
        }
        if case .shorterSide(let side) = resize, !range.contains(side) {
            throw .shorterSideOutOfRange(side)
        }
        guard mean.count == 3, std.count == 3 else { throw .notThreeChannels(mean: mean.count, std: std.count) }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw .nonFiniteOrZeroStatistics
        }
    }
}

/// How the decoded image is brought to the network size.
public enum ResizePolicy: Sendable, Equatable {
    /// torchvision `Resize(n)`: the shorter side becomes n, the longer side
    /// `int(n * long / short)`; then `CenterCrop((height, width))`.
    case shorterSide(Int)
    /// torchvision `Resize((height, width))`: stretch, ignoring the aspect ratio.
    case exact
}

/// Pillow's resampling filters (both antialias when downscaling).
public enum Interpolation: String, Codable, Sendable, CaseIterable {
    case bicubic
    case bilinear
}

/// Order of the three tensor channels.
public enum ChannelOrder: String, Codable, Sendable, CaseIterable {
    case rgb
    case bgr
}

/// Why a spec is refused.
public enum PreprocessSpecError: Error, Sendable, Equatable {
    case sizeOutOfRange(width: Int, height: Int)
    case shorterSideOutOfRange(Int)
    case notThreeChannels(mean: Int, std: Int)
    case nonFiniteOrZeroStatistics
}
