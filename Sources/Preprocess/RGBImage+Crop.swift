import ImageCodecs

extension RGBImage {
    /// The pixels in `columns x rows`, which must lie inside the image.
    func cropped(columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        if columns == 0..<width && rows == 0..<height { return self }
        var output = [UInt8]()
        output.reserveCapacity(columns.count * rows.count * 3)
        for y in rows {
            let start = (y * width + columns.lowerBound) * 3
            output.append(contentsOf: pixels[start..<(start + columns.count * 3)])
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: output)
    }

    /// A `width x height` black canvas with this image's pixels starting at (x, y).
    /// The image must fit inside.
    func placed(onBlackWidth width: Int, height: Int, x: Int, y: Int) -> RGBImage {
        var canvas = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<self.height {
            let from = row * rowBytes
            let to = ((row + y) * width + x) * 3
            canvas.replaceSubrange(to..<(to + rowBytes), with: pixels[from..<(from + rowBytes)])
        }
        return RGBImage(width: width, height: height, pixels: canvas)
    }
}
