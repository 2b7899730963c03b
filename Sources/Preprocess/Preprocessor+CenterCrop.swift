extension Preprocessor {
    /// Where torchvision's center_crop cuts a `crop` out of `size` (one axis). If the image
    /// is smaller it is first padded with zeros, (crop - size) // 2 before; the cut is then at
    /// `int(round((padded - crop) / 2.0))`, Python's round, which rounds halves to even.
    /// Returns the crop's first index in unpadded coordinates (negative inside padding).
    static func centerCropOffset(size: Int, crop: Int) -> Int {
        let padBefore = crop > size ? (crop - size) / 2 : 0
        let padded = max(size, crop)
        return Int((Double(padded - crop) / 2).rounded(.toNearestOrEven)) - padBefore
    }
}
