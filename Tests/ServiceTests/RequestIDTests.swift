import Foundation
import Testing
@testable import Service

struct RequestIDTests {
    @Test func madeIDsAreDistinctVersion4UUIDs() throws {
        var seen = Set<String>()
        for _ in 0..<20_000 {
            let id = RequestID.make()
            let parsed = try #require(UUID(uuidString: id), "\(id) is not a UUID")
            #expect(parsed.uuidString.lowercased() == id)
            let bytes = withUnsafeBytes(of: parsed.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 4 && bytes[8] >> 6 == 0b10)
            seen.insert(id)
        }
        #expect(seen.count == 20_000)
    }

    @Test func aClientsPrintableIDIsEchoedAndAnythingElseReplaced() {
        #expect(RequestID.resolve("abc-123") == "abc-123")
        for refused in [nil, "", "has space", "tab\there", String(repeating: "x", count: 129), "caf\u{E9}"] {
            let id = RequestID.resolve(refused)
            #expect(id != refused && UUID(uuidString: id) != nil)
        }
    }
}
