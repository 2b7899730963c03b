import HTTP1
import Testing

@Suite struct QueryTests {
    private func items(_ target: String) -> [String] {
        (parse("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n").request?.queryItems() ?? []).map { "\($0.name)=\($0.value)" }
    }

    @Test func decodesFormEncodedPairs() {
        #expect(items("/p?a=1&b=two+words&c=%41%62%2B&d") == ["a=1", "b=two words", "c=Ab+", "d="])
    }

    @Test func keepsMalformedPercentSequencesLiterally() {
        #expect(items("/p?a=%&b=%4&c=%zz&d=100%25") == ["a=%", "b=%4", "c=%zz", "d=100%"])
    }

    @Test func decodesUTF8AndSkipsEmptyPairs() {
        #expect(items("/p?&name=caf%C3%A9&&x=%3D=") == ["name=café", "x==="])
    }

    @Test func noQueryMeansNoItems() {
        #expect(items("/p").isEmpty)
    }
}
