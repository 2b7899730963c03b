/// CMYK → RGB as Pillow does it, for CMYK/YCCK JPEGs.
enum CMYKConversion {
    /// Adobe applications write CMYK JPEGs inverted (0 = full ink), and Pillow reads them
    /// as "CMYK;I"; TurboJPEG returns the stored values, so each sample is inverted first.
    /// Then Pillow's Convert.c cmyk2rgb: with nk = 255 - k,
    /// channel = nk - muldiv255(ink, nk), where muldiv255 rounds a * b / 255.
    static func rgb(fromInvertedCMYK samples: [UInt8]) -> [UInt8] {
        let pixels = samples.count / 4
        var rgb = [UInt8](repeating: 0, count: pixels * 3)
        for i in 0..<pixels {
            let notBlack = Int(samples[i * 4 + 3])  // 255 - k, since k is stored inverted
            for c in 0..<3 {
                let ink = 255 - Int(samples[i * 4 + c])
                let value = notBlack - mulDiv255(ink, notBlack)
                rgb[i * 3 + c] = UInt8(clamping: value)
            }
        }
        return rgb
    }

    /// (a * b + 128) / 255, rounded, without a division (Pillow's MULDIV255).
    private static func mulDiv255(_ a: Int, _ b: Int) -> Int {
        let t = a * b + 128
        return ((t >> 8) + t) >> 8
    }
}
