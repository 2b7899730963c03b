import CPNG

extension png_image {
    /// libpng's message for the last error or warning of this image.
    var errorMessage: String {
        let text = withUnsafeBytes(of: message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? "libpng failed without a message" : text
    }
}
