import Foundation
import HTTP1
import HTTPServer
import ImageCodecs
import Preprocess

/// Every setting of the service. Each key has a default here, can be set in the JSON config
/// file (Config/gradcam-server.json), overridden by an environment variable GRADCAM_<KEY>
/// (upper snake case, for containers) and by a command-line flag --<key> (kebab case).
public struct ServiceConfig: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Worker threads; 0 means one per core.
    public var workers = 0
    /// Jobs that may wait for a worker; beyond that, 503 at once.
    public var queueDepth = 32
    /// A job that waited longer than this gets 503 instead of running.
    public var queueTimeoutMs = 10_000
    public var retryAfterSeconds = 1
    public var maxConnections = 1024
    public var maxRequestLineBytes = 8 * 1024
    public var maxHeaderBytes = 16 * 1024
    public var maxHeaderCount = 100
    public var maxBodyBytes = 20 * 1024 * 1024
    /// Decoded images larger than this are refused from their header, before decoding.
    public var maxImagePixels = 40_000_000
    /// Decode JPEGs in Pillow's draft mode, at 1/2, 1/4 or 1/8 of their size when they are at
    /// least twice the model's resize on each side (Preprocessor.jpegDraft): a 4032 x 3024
    /// photo's decode stage 55.5 -> 13.2 ms, but the pixels of the reference pipeline with
    /// `Image.draft`, not of a full decode.
    public var jpegDraft = false
    public var headerTimeoutMs = 10_000
    public var bodyTimeoutMs = 30_000
    public var idleTimeoutMs = 60_000
    public var shutdownGraceMs = 15_000
    /// A model directory (with manifest.json) or .onnx file; empty means the bundled model.
    public var model = ""
    /// Origins allowed by CORS; "*" allows any.
    public var corsOrigins: [String] = []
    /// Peers whose X-Forwarded-For is believed (a reverse proxy's address).
    public var trustedProxies: [String] = []
    public var logLevel = "info"

    public init() {}

    /// The keys, in the order the README's table lists them.
    public static let keys = ["host", "port", "workers", "queueDepth", "queueTimeoutMs", "retryAfterSeconds", "maxConnections",
                              "maxRequestLineBytes", "maxHeaderBytes", "maxHeaderCount", "maxBodyBytes", "maxImagePixels",
                              "jpegDraft", "headerTimeoutMs", "bodyTimeoutMs", "idleTimeoutMs", "shutdownGraceMs", "model", "corsOrigins",
                              "trustedProxies", "logLevel"]

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Sets one key from text (a file's value, an environment variable or a flag).
    public mutating func set(_ key: String, _ text: String) throws(Invalid) {
        func int(min: Int = 0) throws(Invalid) -> Int {
            guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v >= min else { throw Invalid(description: "\(key) must be an integer >= \(min), got '\(text)'") }
            return v
        }
        func bool() throws(Invalid) -> Bool {
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw Invalid(description: "\(key) must be true or false, got '\(text)'")
            }
        }
        let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        switch key {
        case "host": host = text
        case "port": port = try int(); guard port <= 65535 else { throw Invalid(description: "port must be <= 65535") }
        case "workers": workers = try int()
        case "queueDepth": queueDepth = try int()
        case "queueTimeoutMs": queueTimeoutMs = try int(min: 1)
        case "retryAfterSeconds": retryAfterSeconds = try int(min: 1)
        case "maxConnections": maxConnections = try int(min: 1)
        case "maxRequestLineBytes": maxRequestLineBytes = try int(min: 64)
        case "maxHeaderBytes": maxHeaderBytes = try int(min: 256)
        case "maxHeaderCount": maxHeaderCount = try int(min: 1)
        case "maxBodyBytes": maxBodyBytes = try int(min: 1)
        case "maxImagePixels": maxImagePixels = try int(min: 1)
        case "jpegDraft": jpegDraft = try bool()
        case "headerTimeoutMs": headerTimeoutMs = try int(min: 1)
        case "bodyTimeoutMs": bodyTimeoutMs = try int(min: 1)
        case "idleTimeoutMs": idleTimeoutMs = try int(min: 1)
        case "shutdownGraceMs": shutdownGraceMs = try int()
        case "model": model = text
        case "corsOrigins": corsOrigins = list
        case "trustedProxies": trustedProxies = list
        case "logLevel":
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(text) else { throw Invalid(description: "unknown logLevel '\(text)'") }
            logLevel = text
        default: throw Invalid(description: "unknown setting '\(key)'")
        }
    }

    /// Defaults, then the file (if any), then the environment, then the flags.
    public static func load(file: String?, environment: [String: String], flags: [String]) throws(Invalid) -> ServiceConfig {
        var config = ServiceConfig()
        if let file {
            guard let data = FileManager.default.contents(atPath: file),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Invalid(description: "cannot read the config file '\(file)' as a JSON object")
            }
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let text = (value as? [Any])?.map { "\($0)" }.joined(separator: ",") ?? "\(value)"
                try config.set(key, text)
            }
        }
        for key in keys {
            if let value = environment[environmentName(key)] { try config.set(key, value) }
        }
        var index = 0
        while index < flags.count {
            let flag = flags[index]
            guard flag.hasPrefix("--") else { throw Invalid(description: "unexpected argument '\(flag)'") }
            var name = String(flag.dropFirst(2)), value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...]); name = String(name[..<equals])
            } else {
                guard index + 1 < flags.count else { throw Invalid(description: "\(flag) needs a value") }
                index += 1; value = flags[index]
            }
            guard let key = keys.first(where: { flagName($0) == name }) else { throw Invalid(description: "unknown flag --\(name)") }
            try config.set(key, value)
            index += 1
        }
        return config
    }

    /// queueDepth -> GRADCAM_QUEUE_DEPTH
    public static func environmentName(_ key: String) -> String {
        "GRADCAM_" + key.reduce(into: "") { out, c in if c.isUppercase { out += "_" }; out += c.uppercased() }
    }

    /// queueDepth -> queue-depth
    public static func flagName(_ key: String) -> String {
        key.reduce(into: "") { out, c in if c.isUppercase { out += "-" }; out += c.lowercased() }
    }

    /// What JPEGs are decoded at for a model with this preprocessing: its draft
    /// (Preprocessor.jpegDraft) when `jpegDraft` is on, else nil (whole).
    public func decodeDraft(for spec: PreprocessSpec) -> JPEGDraft? {
        jpegDraft ? Preprocessor.jpegDraft(for: spec) : nil
    }

    public var workerCount: Int { workers > 0 ? workers : ProcessInfo.processInfo.activeProcessorCount }

    public var httpLimits: HTTPLimits {
        HTTPLimits(maxRequestLineBytes: maxRequestLineBytes, maxHeaderBytes: maxHeaderBytes,
                   maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes)
    }

    public var serverConfiguration: ServerConfiguration {
        var c = ServerConfiguration()
        c.host = host; c.port = port; c.maxConnections = maxConnections
        c.refusalRetryAfterSeconds = retryAfterSeconds
        c.headerTimeout = .milliseconds(headerTimeoutMs); c.bodyTimeout = .milliseconds(bodyTimeoutMs)
        c.idleTimeout = .milliseconds(idleTimeoutMs); c.limits = httpLimits
        return c
    }
}
