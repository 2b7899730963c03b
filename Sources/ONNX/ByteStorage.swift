#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes a model is read from: a read-only memory mapping of a file, or a private copy of
/// a caller's buffer. Tensors keep `ByteRegion`s of it instead of copies, so a 550 MB model
/// costs 550 MB of *file-backed* pages (which the kernel can drop and re-read) rather than a
/// second anonymous copy. The mapping lives until the last tensor referring to it is gone.
///
/// Immutable after `init` (PROT_READ mapping or a buffer nobody writes), hence `@unchecked Sendable`.
final class ByteStorage: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    /// True for an mmap of a file: only then may pages be handed back with `madvise`, because
    /// the kernel re-reads them from the file; doing so on a heap copy would zero them.
    let isFileMapped: Bool

    /// Copies `buffer` into storage owned by this object.
    init(copying buffer: some Collection<UInt8>) {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count, alignment: 16)
        _ = memory.initializeMemory(as: UInt8.self, from: buffer)
        bytes = UnsafeRawBufferPointer(memory)
        isFileMapped = false
    }

    private init(mapped: UnsafeRawBufferPointer) {
        bytes = mapped
        isFileMapped = true
    }

    /// Maps the whole file at `path` read-only. An empty file yields empty (unmapped) storage,
    /// because mmap of length 0 fails with EINVAL.
    static func mapping(fileAt path: String) throws(ONNXError) -> ByteStorage {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .fileUnreadable("\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .fileUnreadable("\(path): \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .fileUnreadable("\(path) is not a regular file")
        }
        let size = Int(status.st_size)
        if size == 0 { return ByteStorage(copying: [UInt8]()) }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        // MAP_FAILED is the C macro ((void *)-1), which Swift does not import.
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .fileUnreadable("\(path): mmap failed: \(String(cString: strerror(errno)))")
        }
        return ByteStorage(mapped: UnsafeRawBufferPointer(start: address, count: size))
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isFileMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    /// Tells the kernel the pages wholly inside `range` are not needed now (madvise
    /// MADV_DONTNEED). For a private read-only file mapping the data stays valid: a later read
    /// faults the page back in from the file. Pages shared with neighbouring data are kept.
    func releasePages(in range: Range<Int>) {
        guard isFileMapped, let base = bytes.baseAddress, !range.isEmpty else { return }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard pageSize > 0 else { return }
        let start = base + range.lowerBound
        let startAddress = Int(bitPattern: start)
        let firstWholePage = (startAddress + pageSize - 1) / pageSize * pageSize
        let endOfWholePages = (startAddress + range.count) / pageSize * pageSize
        guard endOfWholePages > firstWholePage,
              let pageStart = UnsafeMutableRawPointer(bitPattern: firstWholePage) else { return }
        _ = madvise(pageStart, endOfWholePages - firstWholePage, Int32(MADV_DONTNEED))
    }
}

/// A contiguous run of bytes inside a `ByteStorage`; keeps the storage alive.
struct ByteRegion: Sendable {
    let storage: ByteStorage
    let range: Range<Int>

    var count: Int { range.count }

    /// Calls `body` with the region's bytes. The pointer must not escape `body`.
    func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage.bytes[range]))
    }
}
