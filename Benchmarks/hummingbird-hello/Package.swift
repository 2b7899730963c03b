// swift-tools-version: 6.1
// A hello-world Hummingbird server, the yardstick for Benchmarks/load.sh --hummingbird.
// NOT part of the gradcam-server product: its own package and its own .build.
import PackageDescription

let package = Package(
    name: "hummingbird-hello",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "hummingbird-hello", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
    ]
)
