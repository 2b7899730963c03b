import CAM
import HTTP1
import ImageCodecs

/// What POST /explain and /predict ask for, read from the query, the form fields and Accept.
struct ExplainRequest: Sendable {
    enum Format: String, Sendable { case json, png }

    var image: [UInt8] = []
    var options = ExplainOptions()
    var format = Format.json
    var colormap = Colormap.jet
    var overlay = false
    var alpha: Float = 0.5

    static let parameterNames: Set = ["class", "layer", "top", "format", "colormap", "overlay", "alpha", "raw", "logits", "method"]

    static func parse(_ request: HTTPRequest, explains: Bool) throws(ServiceError) -> ExplainRequest {
        var parsed = ExplainRequest()
        parsed.options.explains = explains
        var parameters = request.queryItems()
        let contentType = request.headers["Content-Type"] ?? ""
        if let boundary = MultipartForm.boundary(fromContentType: contentType) {
            let form: MultipartForm
            do { form = try MultipartForm(body: request.body, boundary: boundary) } catch { throw .malformedBody(error.reason) }
            guard let image = form.part(named: "image") else { throw .missingImage("the form has no field named 'image'") }
            parsed.image = Array(image.body)
            for part in form.parts where part.name != "image" { parameters.append((part.name, part.text)) }
        } else {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType.isEmpty || ImageFormat(mediaType: mediaType) != nil || mediaType == "application/octet-stream" else {
                throw .unsupportedMediaType(mediaType)
            }
            parsed.image = request.body
        }
        guard !parsed.image.isEmpty else { throw .missingImage("the body is empty") }
        guard ImageFormat.sniff(parsed.image) != nil else {
            throw .unsupportedMediaType("the upload is neither PNG nor JPEG")
        }
        for (name, value) in parameters { try parsed.apply(name, value, explains: explains) }
        // An explicit format= wins over Accept; only without it does Accept decide (and can 406).
        if !parameters.contains(where: { $0.name == "format" }) {
            parsed.format = try negotiatedFormat(accept: request.headers["Accept"], explains: explains)
        }
        return parsed
    }

    private mutating func apply(_ name: String, _ value: String, explains: Bool) throws(ServiceError) {
        func bad(_ reason: String) -> ServiceError { .badParameter(name: name, reason: reason) }
        func flag() throws(ServiceError) -> Bool {
            switch value.lowercased() {
            case "1", "true", "yes", "on", "": return true
            case "0", "false", "no", "off": return false
            default: throw bad("must be true or false")
            }
        }
        switch name {
        case "class":
            guard let c = Int(value) else { throw bad("must be a class index") }
            options.classIndex = c
        case "layer":
            guard !value.isEmpty else { throw bad("must name a layer") }
            options.layer = value
        case "top":
            guard let t = Int(value), t >= 1 else { throw bad("must be a positive integer") }
            options.top = t
        case "format":
            guard let f = Format(rawValue: value.lowercased()) else { throw bad("must be json or png") }
            guard explains || f == .json else { throw bad("/predict answers in JSON only") }
            format = f
        case "colormap":
            guard let c = Colormap(rawValue: value.lowercased()) else { throw bad("must be one of \(Colormap.allCases.map(\.rawValue).joined(separator: ", "))") }
            colormap = c
        case "overlay": overlay = try flag()
        case "alpha":
            guard let a = Float(value), a >= 0, a <= 1 else { throw bad("must be a number between 0 and 1") }
            alpha = a
        case "raw": options.includeRaw = try flag()
        case "logits": options.includeLogits = try flag()
        case "method":
            guard ["gradcam", "cam"].contains(value.lowercased()) else { throw bad("must be gradcam or cam") }
            options.method = value.lowercased()
        default:
            throw .badParameter(name: name, reason: "unknown parameter; known: \(ExplainRequest.parameterNames.sorted().joined(separator: ", "))")
        }
    }

    /// RFC 9110 12.5.1: the most preferred of application/json and image/png that Accept allows;
    /// no Accept means JSON. `format=` in the query or form overrides it.
    static func negotiatedFormat(accept: String?, explains: Bool) throws(ServiceError) -> Format {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        var best: (Format, Double)? = nil
        for range in accept.split(separator: ",") {
            let pieces = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let type = pieces.first ?? ""
            var quality = 1.0
            for p in pieces.dropFirst() where p.hasPrefix("q=") { quality = Double(p.dropFirst(2)) ?? 0 }
            guard quality > 0 else { continue }
            let candidates: [Format] = switch type {
            case "application/json", "application/*": [.json]
            case "image/png", "image/*": explains ? [.png] : []
            case "*/*": [.json]
            default: []
            }
            for c in candidates where best == nil || quality > best!.1 { best = (c, quality) }
        }
        guard let best else { throw .notAcceptable(accept, produces: explains ? ["application/json", "image/png"] : ["application/json"]) }
        return best.0
    }
}
