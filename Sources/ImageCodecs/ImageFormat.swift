/// The encoded formats ImageCodecs reads.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg

    /// Recognises a format by its magic number, ignoring any declared media type.
    ///
    /// PNG: the 8-byte signature `89 50 4E 47 0D 0A 1A 0A` (PNG spec 5.2).
    /// JPEG: SOI `FF D8` followed by the `FF` of the next marker (ITU T.81 B.1.1.3, B.2.1).
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(8))
        if head == pngSignature { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        return nil
    }

    /// Maps a Content-Type value to a format: `image/png`, `image/jpeg` and the common
    /// non-standard `image/jpg`. Parameters (`; charset=...`) and case are ignored
    /// (RFC 9110 8.3.1: type and subtype are case-insensitive).
    public init?(mediaType: String) {
        // RFC 9110 5.6.3: optional whitespace may surround the type before the parameters.
        var essence = mediaType.prefix { $0 != ";" }
        while let first = essence.first, first == " " || first == "\t" { essence.removeFirst() }
        while let last = essence.last, last == " " || last == "\t" { essence.removeLast() }
        switch essence.lowercased() {
        case "image/png": self = .png
        case "image/jpeg", "image/jpg", "image/pjpeg": self = .jpeg
        default: return nil
        }
    }

    /// The media type to send back for this format.
    public var mediaType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}
