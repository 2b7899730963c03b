#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves TensorProto.external_data entries to byte ranges of files next to the model.
/// Exporters put all weights of a large model in one file, so each file is mapped once and
/// every tensor gets a slice of that mapping. Used during one parse only.
final class ExternalDataFiles {
    private let baseDirectory: String
    /// `baseDirectory` resolved through symlinks, on first use (most models have no external data).
    private var resolvedBaseDirectory: String?
    private var mappedFiles: [String: ByteStorage] = [:]

    init(baseDirectory: String) {
        self.baseDirectory = baseDirectory
    }

    /// onnx.proto, TensorProto.external_data: "location" (required, relative to the model's
    /// directory), "offset" and "length" (optional decimal strings; no length means "to the end
    /// of the file"). The range must lie inside the file.
    func resolve(_ entries: [String: String], tensor: String) throws(ONNXError) -> (ONNXExternalData, ByteRegion) {
        guard let location = entries["location"], !location.isEmpty else {
            throw .externalData("tensor '\(tensor)' has no external data location")
        }
        let offset = try Self.number(entries["offset"], key: "offset", tensor: tensor) ?? 0
        let storage = try mappedFile(location, tensor: tensor)
        let fileSize = storage.bytes.count
        guard offset <= fileSize else {
            throw .externalData("tensor '\(tensor)': offset \(offset) lies beyond the end of '\(location)' (\(fileSize) bytes)")
        }
        let length = try Self.number(entries["length"], key: "length", tensor: tensor) ?? (fileSize - offset)
        guard length <= fileSize - offset else {
            throw .externalData("tensor '\(tensor)': bytes \(offset)..<\(offset)+\(length) lie beyond the end of "
                + "'\(location)' (\(fileSize) bytes)")
        }
        return (ONNXExternalData(location: location, offset: offset, length: length),
                ByteRegion(storage: storage, range: offset ..< offset + length))
    }

    /// Maps `location` once. Refuses absolute paths and `..` components, and, after resolving
    /// symlinks, any file outside the model's directory: a model must not read arbitrary files.
    private func mappedFile(_ location: String, tensor: String) throws(ONNXError) -> ByteStorage {
        guard !location.hasPrefix("/"), !location.contains("\0") else {
            throw .externalData("tensor '\(tensor)': location '\(location)' must be a relative path")
        }
        guard !location.split(separator: "/").contains("..") else {
            throw .externalData("tensor '\(tensor)': location '\(location)' escapes the model directory with '..'")
        }
        let base = try resolvedBase()
        guard let path = Self.realPath(base + "/" + location) else {
            throw .externalData("tensor '\(tensor)': cannot open '\(location)': \(String(cString: strerror(errno)))")
        }
        guard path.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            throw .externalData("tensor '\(tensor)': location '\(location)' leads outside the model directory")
        }
        if let storage = mappedFiles[path] { return storage }
        let storage: ByteStorage
        do {
            storage = try ByteStorage.mapping(fileAt: path)
        } catch {
            throw .externalData("tensor '\(tensor)': \(error)")
        }
        mappedFiles[path] = storage
        return storage
    }

    private func resolvedBase() throws(ONNXError) -> String {
        if let resolvedBaseDirectory { return resolvedBaseDirectory }
        guard let resolved = Self.realPath(baseDirectory) else {
            throw .externalData("model directory '\(baseDirectory)' cannot be resolved")
        }
        resolvedBaseDirectory = resolved
        return resolved
    }

    private static func number(_ text: String?, key: String, tensor: String) throws(ONNXError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw .externalData("tensor '\(tensor)': \(key) '\(text)' is not a non-negative integer")
        }
        return value
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
