import ImageCodecs

extension Preprocessor {
    /// The draft (JPEGDraft) a server may decode a JPEG at for this spec: twice the resize
    /// target on each side, the margin Pillow's `Image.thumbnail` keeps (`reducing_gap=2.0`),
    /// so the resize still filters down from at least twice the final resolution. For
    /// `Resize(n)` that is 2n x 2n whatever the aspect ratio (the shorter side decides the
    /// reduction; the longer one covers at least as much); for a stretch to W x H, 2W x 2H.
    ///
    /// The reference pipeline is then `im.draft("RGB", (2n, 2n))` before `convert("RGB")`.
    public static func jpegDraft(for spec: PreprocessSpec) -> JPEGDraft {
        switch spec.resize {
        case .shorterSide(let side): JPEGDraft(width: 2 * side, height: 2 * side)
        case .exact: JPEGDraft(width: 2 * spec.width, height: 2 * spec.height)
        }
    }
}
