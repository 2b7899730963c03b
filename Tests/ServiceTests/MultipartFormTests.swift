import Testing
@testable import Service

struct MultipartFormTests {
    let body = Array("--XyZ\r\nContent-Disposition: form-data; name=\"top\"\r\n\r\n3\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{1}\u{2}\r\n\u{3}\r\n--XyZ--\r\n".utf8)

    @Test func partsAreSplitOnTheBoundary() throws {
        let form = try MultipartForm(body: body, boundary: "XyZ")
        #expect(form.parts.count == 2)
        #expect(form.part(named: "top")?.text == "3")
        let image = try #require(form.part(named: "image"))
        #expect(image.filename == "a.jpg" && image.contentType == "image/jpeg")
        #expect(Array(image.body) == [1, 2, 13, 10, 3])  // a CRLF inside the data is data
    }

    @Test func boundaryIsReadFromTheContentType() {
        #expect(MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(fromContentType: "Multipart/Form-Data;boundary=xyz") == "xyz")
        #expect(MultipartForm.boundary(fromContentType: "image/png") == nil)
        #expect(MultipartForm.boundary(fromContentType: "multipart/form-data") == nil)
    }

    @Test func truncatedFormsAreMalformed() {
        for cut in [5, 40, body.count - 9] {
            #expect(throws: MultipartForm.Malformed.self) { try MultipartForm(body: Array(body.prefix(cut)), boundary: "XyZ") }
        }
        #expect(throws: MultipartForm.Malformed.self) { try MultipartForm(body: Array("no boundary here".utf8), boundary: "XyZ") }
    }
}
