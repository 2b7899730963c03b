/// Measures for tolerance checks that a NaN cannot pass. `Swift.max(worst, .nan)` is `worst`,
/// and an array's `max()` skips a NaN unless it comes first, so a result that is NaN would
/// satisfy `worst < tolerance`. Here a NaN error counts as infinite.
public func largerError<T: BinaryFloatingPoint>(_ worst: T, _ error: T) -> T {
    error.isNaN ? .infinity : max(worst, error)
}

/// The largest of `errors` (0 for none), a NaN counting as infinite.
public func largestError<S: Sequence>(_ errors: S) -> S.Element where S.Element: BinaryFloatingPoint {
    errors.reduce(0, largerError)
}

/// max |a - b| over two equally long series, a NaN counting as infinite.
public func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    largestError(zip(a, b).lazy.map { abs($0 - $1) })
}

/// Pearson correlation of two equally long series.
public func pearson(_ a: [Float], _ b: [Float]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0.0) { $0 + Double($1) } / n, mb = b.reduce(0.0) { $0 + Double($1) } / n
    var cov = 0.0, va = 0.0, vb = 0.0
    for (x, y) in zip(a, b) {
        let dx = Double(x) - ma, dy = Double(y) - mb
        cov += dx * dy; va += dx * dx; vb += dy * dy
    }
    return cov / (va * vb).squareRoot()
}
