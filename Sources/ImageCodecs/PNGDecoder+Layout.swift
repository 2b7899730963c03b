import CPNG

extension PNGDecoder {
    /// How samples are read from libpng and turned into Pillow's RGB.
    ///
    /// `PNGPixelStream` has dropped tRNS, so only colour types 4 and 6 carry alpha here.
    enum Layout: Equatable {
        /// 1-8 bit gray, RGB or palette: libpng expands to RGB8 (gray by replication, low
        /// bit depths by bit replication, e.g. 2-bit x 85), exactly as Pillow's unpackers do.
        case rgb8
        /// 8-bit gray+alpha or RGBA: read RGBA8 (not premultiplied at 8 bits) and drop alpha.
        case rgba8
        /// 16-bit gray+alpha relabelled as RGBA8: R holds the gray high byte, which is the
        /// byte Pillow keeps ("LA;16B").
        case grayAlpha16
        /// 16-bit gray: read linear 16-bit (no gamma: no gAMA/sRGB left and libpng assumes
        /// linear 16-bit input), then clip at 255. Pillow opens these as mode "I;16", whose
        /// conversion to RGB clips rather than scales (Convert.c I16 -> RGB); we match it.
        case gray16
        /// 16-bit RGB: read linear 16-bit and keep the high byte, as Pillow's "RGB;16B" does.
        case rgb16
        /// 16-bit RGBA: the simplified API can only give 16-bit RGBA premultiplied, losing
        /// colour under transparent pixels, so read RGBA8 with the 16BIT_sRGB flag (no gamma
        /// change): libpng rounds v * 255 / 65535 where Pillow truncates v >> 8, so samples
        /// may differ from Pillow by 1. Interlaced files are refused (see `PNGDecoder`).
        case rgba16

        init(fileFormat: UInt32, relabelledGrayAlpha16: Bool) {
            let isColor = fileFormat & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
            let hasAlpha = fileFormat & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
            let isSixteenBit = fileFormat & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
            switch (isSixteenBit, hasAlpha) {
            case (false, false): self = .rgb8
            case (false, true): self = relabelledGrayAlpha16 ? .grayAlpha16 : .rgba8
            case (true, false): self = isColor ? .rgb16 : .gray16
            case (true, true): self = .rgba16  // 16-bit gray+alpha was relabelled upstream
            }
        }

        var outputFormat: UInt32 {
            switch self {
            case .rgb8: UInt32(PNG_FORMAT_FLAG_COLOR)
            case .rgba8, .grayAlpha16, .rgba16: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
            case .gray16: UInt32(PNG_FORMAT_FLAG_LINEAR)
            case .rgb16: UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR)
            }
        }

        var channels: Int {
            switch self {
            case .rgb8, .rgb16: 3
            case .rgba8, .grayAlpha16, .rgba16: 4
            case .gray16: 1
            }
        }

        var isSixteenBit: Bool { self == .gray16 || self == .rgb16 }

        /// 8-bit samples with alpha → RGB.
        func convert(_ samples: [UInt8], to rgb: inout [UInt8]) {
            let pixels = rgb.count / 3
            if self == .grayAlpha16 {
                for i in 0..<pixels {
                    let gray = samples[i * 4]
                    rgb[i * 3] = gray; rgb[i * 3 + 1] = gray; rgb[i * 3 + 2] = gray
                }
            } else {
                for i in 0..<pixels {
                    rgb[i * 3] = samples[i * 4]
                    rgb[i * 3 + 1] = samples[i * 4 + 1]
                    rgb[i * 3 + 2] = samples[i * 4 + 2]
                }
            }
        }

        /// 16-bit samples (native byte order, libpng swaps them for us) → RGB.
        func convert(_ samples: [UInt16], to rgb: inout [UInt8]) {
            if self == .gray16 {
                for (i, sample) in samples.enumerated() {
                    let gray = UInt8(min(sample, 255))
                    rgb[i * 3] = gray; rgb[i * 3 + 1] = gray; rgb[i * 3 + 2] = gray
                }
            } else {
                for (i, sample) in samples.enumerated() { rgb[i] = UInt8(sample >> 8) }
            }
        }
    }
}
