// swift-tools-version:6.1
// gradcam-server: an HTTP service that classifies images with a CNN and explains
// the decision with Grad-CAM. Targets follow the data flow:
// socket bytes -> HTTP1 -> ImageCodecs -> Preprocess -> Service (queue) -> Engine -> CAM -> response.
import PackageDescription

/// The numeric kernels (engine operators, resampling, CAM) are optimised in debug builds too:
/// unoptimised they run about 30x slower, which would make `swift test` spend minutes in
/// convolutions. Debug builds still carry -enable-testing, so @testable imports keep working.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// The kernels are written with Swift SIMD types. For the baseline x86-64 target the compiler
/// lowers their multiply-adds to calls to fmaf and splits 8-wide vectors into SSE halves
/// (NOTES.md: about 1.5 GFLOP/s); "haswell" (AVX2 + FMA: Intel Haswell, AMD Zen and later)
/// gives single FMA instructions on 256-bit registers. GRADCAM_TARGET_CPU overrides it when
/// building, e.g. "x86-64" for an older CPU or "native"; ARM builds need no flag (NEON is baseline).
#if arch(x86_64)
let kernelTargetCPU = Context.environment["GRADCAM_TARGET_CPU"] ?? "haswell"
let kernelSettings: [SwiftSetting] = optimizedEvenInDebug + [.unsafeFlags(["-target-cpu", kernelTargetCPU])]
#else
let kernelSettings: [SwiftSetting] = optimizedEvenInDebug
#endif

let package = Package(
    name: "gradcam-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gradcam-server", targets: ["gradcam-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // C libraries, reached through pkg-config (NOTES.md: without it libpng fails to link).
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev", "zlib1g-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // One header: a cache prefetch hint for the engine's kernels (no library to link).
        .systemLibrary(name: "CPrefetch"),
        // One header: glibc's malloc_trim, to hand back what compiling a model freed.
        .systemLibrary(name: "CMalloc"),

        // Pure HTTP/1.1: bytes in, request or error out. No I/O.
        .target(name: "HTTP1"),
        // Sockets, connections and timeouts: the only read()/write() calls.
        .target(name: "HTTPServer", dependencies: ["HTTP1"]),
        // PNG and JPEG decode/encode; knows nothing of tensors.
        .target(name: "ImageCodecs", dependencies: ["CPNG", "CTurboJPEG"]),
        // Decoded image -> normalised CHW floats, as the model's manifest asks.
        .target(name: "Preprocess", dependencies: ["ImageCodecs"], swiftSettings: kernelSettings),
        // Shapes, buffers and GEMM (the only BLAS caller).
        .target(name: "Tensor", dependencies: ["COpenBLAS"]),
        // Reads ONNX files into plain structs; runs nothing.
        .target(name: "ONNX"),
        // Compiled graph, operators (forward + backward), workspaces.
        .target(name: "Engine", dependencies: ["Tensor", "ONNX", "CPrefetch", "CMalloc"], swiftSettings: kernelSettings),
        // CAM methods (channel weights) and the one composer.
        .target(name: "CAM", dependencies: ["Tensor"], swiftSettings: kernelSettings),
        // Config, worker pool, routes, responses, error mapping.
        .target(name: "Service", dependencies: [
            "HTTP1", "HTTPServer", "ImageCodecs", "Preprocess", "Engine", "CAM",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "gradcam-server", dependencies: [
            "Service",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"]),
        // Shared by the test targets: a raw-socket HTTP client and a seeded random generator.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PreprocessTests", dependencies: ["Preprocess", "ImageCodecs", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "ONNXTests", dependencies: ["ONNX", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "CAM", "ONNX", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CAMTests", dependencies: ["CAM", "TestSupport"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "Engine", "CAM", "HTTP1", "HTTPServer", "ImageCodecs", "TestSupport"], exclude: ["Fixtures"]),
    ]
)
