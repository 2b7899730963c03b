import CPNG

/// The PNG stream handed to libpng: the input reduced to the chunks that decide Pillow's
/// RGB pixels.
///
/// Pillow's `convert("RGB")` does no colour management and drops alpha. libpng's simplified
/// API instead applies gAMA/sRGB/iCCP gamma and composites tRNS transparency. Dropping every
/// ancillary chunk (PNG spec 4.7.2: a decoder may ignore them) makes libpng decode the raw
/// samples, as Pillow does. Critical chunks (IHDR, PLTE, IDAT, IEND) pass through untouched,
/// so corruption in them still reaches libpng and is reported.
struct PNGPixelStream {
    /// A PNG stream for libpng.
    var bytes: [UInt8]
    /// True when a 16-bit gray+alpha IHDR was relabelled as 8-bit RGBA (see `relabel`).
    var isRelabelledGrayAlpha16 = false
    /// The IHDR interlace method is Adam7 (PNG spec 11.2.2).
    var isInterlaced = false

    init(filtering input: UnsafeRawBufferPointer) {
        bytes = []
        bytes.reserveCapacity(input.count)
        let signatureLength = ImageFormat.pngSignature.count
        bytes.append(contentsOf: input.prefix(signatureLength))
        var offset = signatureLength
        while let chunk = Chunk(in: input, at: offset) {
            if chunk.isIHDR, chunk.dataRange.count == 13 {
                isInterlaced = input[chunk.dataRange.lowerBound + 12] == 1
            }
            if chunk.isIHDR, let relabelled = Self.relabel(chunk, in: input) {
                bytes.append(contentsOf: relabelled)
                isRelabelledGrayAlpha16 = true
            } else if chunk.isCritical {
                bytes.append(contentsOf: input[chunk.range])
            }
            offset = chunk.range.upperBound
        }
        // Whatever does not parse as chunks goes to libpng as is, for it to report.
        bytes.append(contentsOf: input[min(offset, input.count)...])
    }

    /// 16-bit gray+alpha has 4 bytes per pixel, like 8-bit RGBA. PNG filters (spec 9.2) and
    /// Adam7 passes (spec 8.2) depend only on bytes per pixel and the width, so the same
    /// IDAT data decodes byte for byte as RGBA8 pixels (gray high, gray low, alpha high,
    /// alpha low). That lets the simplified API hand us the raw high byte Pillow keeps,
    /// where its own 16-bit paths would premultiply or round.
    private static func relabel(_ ihdr: Chunk, in input: UnsafeRawBufferPointer) -> [UInt8]? {
        let data = ihdr.dataRange
        guard data.count == 13, input[data.lowerBound + 8] == 16, input[data.lowerBound + 9] == 4,
              ihdr.storedCRC == crc(of: input[(data.lowerBound - 4)..<data.upperBound]) else { return nil }
        var chunk = Array(input[ihdr.range])
        chunk[4 + 4 + 8] = 8   // bit depth
        chunk[4 + 4 + 9] = 6   // colour type: RGBA
        let newCRC = crc(of: chunk[4..<(4 + 4 + 13)])
        chunk.replaceSubrange((chunk.count - 4)..., with: bigEndianBytes(newCRC))
        return chunk
    }

    private static func crc(of bytes: some Collection<UInt8>) -> UInt32 {
        Array(bytes).withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
    }

    private static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }
}

/// One chunk's position in the stream (PNG spec 5.3: length, type, data, CRC).
private struct Chunk {
    let range: Range<Int>
    let type: (UInt8, UInt8, UInt8, UInt8)
    let storedCRC: UInt32

    var dataRange: Range<Int> { (range.lowerBound + 8)..<(range.upperBound - 4) }
    /// Spec 5.4: bit 5 of the first type byte clear (an upper-case letter) means critical.
    var isCritical: Bool { type.0 & 0x20 == 0 }
    var isIHDR: Bool { type == (0x49, 0x48, 0x44, 0x52) }

    /// Nil when the bytes at `offset` do not hold a whole chunk.
    init?(in input: UnsafeRawBufferPointer, at offset: Int) {
        guard offset >= 0, input.count - offset >= 12 else { return nil }
        let length = Int(Self.bigEndian(input, at: offset))
        // Spec 5.3: the length is at most 2^31 - 1.
        guard length <= Int(Int32.max), input.count - offset - 12 >= length else { return nil }
        range = offset..<(offset + 12 + length)
        type = (input[offset + 4], input[offset + 5], input[offset + 6], input[offset + 7])
        storedCRC = Self.bigEndian(input, at: offset + 8 + length)
    }

    private static func bigEndian(_ input: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(input[offset + $1]) }
    }
}
