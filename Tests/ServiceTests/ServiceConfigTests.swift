import Testing
@testable import Service

struct ServiceConfigTests {
    @Test func flagsOverrideEnvironmentWhichOverridesTheFile() throws {
        let file = Fixtures.repositoryRoot.appendingPathComponent("Config/gradcam-server.json").path
        let config = try ServiceConfig.load(file: file,
                                            environment: ["GRADCAM_PORT": "9001", "GRADCAM_QUEUE_DEPTH": "7", "GRADCAM_CORS_ORIGINS": "https://a.example, https://b.example"],
                                            flags: ["--port", "9002", "--max-body-bytes=1000", "--trusted-proxies", "10.0.0.1"])
        #expect(config.port == 9002)
        #expect(config.queueDepth == 7)
        #expect(config.maxBodyBytes == 1000)
        #expect(config.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(config.trustedProxies == ["10.0.0.1"])
        #expect(config.host == "127.0.0.1")
    }

    @Test func theDefaultFileHoldsEveryKeyWithItsDefault() throws {
        let file = Fixtures.repositoryRoot.appendingPathComponent("Config/gradcam-server.json").path
        #expect(try ServiceConfig.load(file: file, environment: [:], flags: []) == ServiceConfig())
    }

    @Test func jpegDraftIsOffUnlessSetToTrue() throws {
        #expect(try ServiceConfig.load(file: nil, environment: [:], flags: []).jpegDraft == false)
        #expect(try ServiceConfig.load(file: nil, environment: [:], flags: ["--jpeg-draft", "true"]).jpegDraft)
        #expect(try ServiceConfig.load(file: nil, environment: ["GRADCAM_JPEG_DRAFT": "1"], flags: []).jpegDraft)
        #expect(try ServiceConfig.load(file: nil, environment: ["GRADCAM_JPEG_DRAFT": "1"], flags: ["--jpeg-draft=false"]).jpegDraft == false)
        #expect(throws: ServiceConfig.Invalid.self) { try ServiceConfig.load(file: nil, environment: [:], flags: ["--jpeg-draft", "yes please"]) }
    }

    @Test func unknownFlagsAndBadValuesAreRefused() {
        #expect(throws: ServiceConfig.Invalid.self) { try ServiceConfig.load(file: nil, environment: [:], flags: ["--prot", "1"]) }
        #expect(throws: ServiceConfig.Invalid.self) { try ServiceConfig.load(file: nil, environment: ["GRADCAM_WORKERS": "many"], flags: []) }
        #expect(throws: ServiceConfig.Invalid.self) { try ServiceConfig.load(file: nil, environment: [:], flags: ["--port", "70000"]) }
        #expect(throws: ServiceConfig.Invalid.self) { try ServiceConfig.load(file: nil, environment: [:], flags: ["--log-level"]) }
    }

    /// Every 503 carries the same Retry-After, the HTTP layer's refusal over maxConnections too.
    @Test func theServerRefusesWithTheConfiguredRetryAfter() throws {
        let config = try ServiceConfig.load(file: nil, environment: [:], flags: ["--retry-after-seconds", "7", "--max-connections", "3"])
        #expect(config.serverConfiguration.refusalRetryAfterSeconds == 7)
        #expect(config.serverConfiguration.maxConnections == 3)
    }

    @Test func namesFollowTheKeys() {
        #expect(ServiceConfig.environmentName("maxBodyBytes") == "GRADCAM_MAX_BODY_BYTES")
        #expect(ServiceConfig.flagName("maxBodyBytes") == "max-body-bytes")
        #expect(ServiceConfig.keys.count == Set(ServiceConfig.keys).count)
    }

    @Test func clientAddressComesFromForwardedForOnlyBehindATrustedProxy() {
        #expect(ClientAddress.resolve(peer: "127.0.0.1:5000", forwardedFor: "203.0.113.9", trustedProxies: []) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1:5000", forwardedFor: "198.51.100.1, 203.0.113.9", trustedProxies: ["127.0.0.1"]) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "[::1]:5000", forwardedFor: "203.0.113.9, ::1", trustedProxies: ["::1"]) == "203.0.113.9")
    }
}
