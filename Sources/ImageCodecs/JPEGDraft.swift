/// A request to decode a JPEG smaller than it is stored, as Pillow's `Image.draft(mode, size)`:
/// libjpeg turns each 8 x 8 block of DCT coefficients into 4 x 4, 2 x 2 or 1 x 1 pixels (its
/// scaled inverse DCTs) instead of building every pixel and resizing them afterwards.
///
/// Why: a phone photo's full decode costs several times a forward pass, while the network sees
/// 224 x 224 pixels. Served timings of a 4032 x 3024 JPEG: decode stage 55.5-66.1 ms, then the
/// EfficientNet-Lite0 forward pass 10.1-16.7 ms; drafted, the decode stage took 13.2-14.8 ms.
/// The pixels are those of Pillow's draft mode, not those of a full decode: a server enables it
/// knowingly (`jpegDraft`), and the reference pipeline then calls `draft` before `convert`.
/// Encodable as `{"width", "height"}`: GET /v1/model reports the draft a server uses.
public struct JPEGDraft: Sendable, Equatable, Encodable {
    /// The size the reduced image must still cover.
    public var width: Int, height: Int

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "a draft covers at least one pixel")
        self.width = width
        self.height = height
    }

    /// 1, 2, 4 or 8: the image is decoded at 1 / reduction of its size, rounded up. Pillow's
    /// rule (JpegImagePlugin.draft): the largest of 8, 4, 2 and 1 at most
    /// min(imageWidth / width, imageHeight / height) in whole numbers.
    public func reduction(imageWidth: Int, imageHeight: Int) -> Int {
        let fits = min(imageWidth / width, imageHeight / height)
        return [8, 4, 2].first { fits >= $0 } ?? 1
    }
}
