/// Unaligned loads and stores of 8 floats (one AVX register), shared by the SIMD kernels.
/// Activation rows start anywhere in the arena, so no kernel may assume alignment.
enum SIMDAccess {
    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// 16 floats, for kernels that split them into even and odd lanes (stride 2).
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// The first `count` (<= 8) floats at p, zeros after them.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, count: Int) -> SIMD8<Float> {
        if count == 8 { return load8(p) }
        var value = SIMD8<Float>.zero
        for lane in 0..<count { value[lane] = p[lane] }
        return value
    }

    /// The first `count` (<= 8) lanes of v, stored at p.
    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 { return store8(v, p) }
        for lane in 0..<count { p[lane] = v[lane] }
    }
}

extension SIMDAccess {
    /// y[i] = f(x[i]) for i in 0..<count, 8 lanes at a time. Each group is loaded before it is
    /// stored, so y may be x (a step the memory plan runs in place), where a plain loop's
    /// vectorised form would see the overlap at run time and fall back to scalar code.
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
                    _ f: (SIMD8<Float>) -> SIMD8<Float>) {
        var i = 0
        while i + 8 <= count {
            store8(f(load8(x + i)), y + i)
            i += 8
        }
        if i < count { store(f(load(x + i, count: count - i)), y + i, count: count - i) }
    }

    /// y[i] = f(a[i], b[i]) for i in 0..<count, as `map`: y may be a or b.
    @inline(__always)
    static func map(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
                    _ f: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) {
        var i = 0
        while i + 8 <= count {
            store8(f(load8(a + i), load8(b + i)), y + i)
            i += 8
        }
        if i < count {
            let rest = count - i
            store(f(load(a + i, count: rest), load(b + i, count: rest)), y + i, count: rest)
        }
    }
}
