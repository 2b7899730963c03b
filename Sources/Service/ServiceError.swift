import CAM
import Engine
import HTTP1
import ImageCodecs

/// Every error a request can meet, each with one HTTP status and a stable code.
/// `ErrorBody` (HTTP1) renders them all; nothing else writes an error body.
public enum ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    case modelNotFound(String)
    case badManifest(String, String)
    case notFound(path: String)
    case methodNotAllowed(allowed: [String])
    case lengthRequired
    case unsupportedMediaType(String)
    case notAcceptable(String, produces: [String])
    case missingImage(String)
    case malformedBody(String)
    case undecodableImage(String)
    case imageTooLarge(width: Int, height: Int, limit: Int)
    case badParameter(name: String, reason: String)
    case overloaded(retryAfterSeconds: Int)
    case deadlineExceeded(retryAfterSeconds: Int)
    case shuttingDown
    /// The client closed its connection while its job waited; the answer goes nowhere but the log.
    case clientGone
    case internalFailure(String)

    public var status: HTTPStatus {
        switch self {
        case .modelNotFound, .badManifest, .internalFailure: .internalServerError
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .lengthRequired: .lengthRequired
        case .unsupportedMediaType: .unsupportedMediaType
        case .notAcceptable: .notAcceptable
        case .missingImage, .malformedBody, .clientGone: .badRequest
        case .imageTooLarge: .payloadTooLarge
        case .undecodableImage, .badParameter: .unprocessableContent
        case .overloaded, .deadlineExceeded, .shuttingDown: .serviceUnavailable
        }
    }

    public var code: String {
        switch self {
        case .modelNotFound: "model_not_found"
        case .badManifest: "bad_manifest"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .lengthRequired: "length_required"
        case .unsupportedMediaType: "unsupported_media_type"
        case .notAcceptable: "not_acceptable"
        case .missingImage: "missing_image"
        case .malformedBody: "malformed_body"
        case .undecodableImage: "undecodable_image"
        case .imageTooLarge: "image_too_large"
        case .badParameter: "bad_parameter"
        case .overloaded: "overloaded"
        case .deadlineExceeded: "deadline_exceeded"
        case .shuttingDown: "shutting_down"
        case .clientGone: "client_closed_request"
        case .internalFailure: "internal_error"
        }
    }

    public var description: String {
        switch self {
        case .modelNotFound(let path): "no model at '\(path)'"
        case .badManifest(let path, let reason): "bad manifest '\(path)': \(reason)"
        case .notFound(let path): "no route for '\(path)'"
        case .methodNotAllowed(let allowed): "method not allowed; use \(allowed.joined(separator: ", "))"
        case .lengthRequired: "a body with Content-Length or chunked Transfer-Encoding is required"
        case .unsupportedMediaType(let type): "unsupported media type '\(type)'; send image/png, image/jpeg or multipart/form-data with a field 'image'"
        case .notAcceptable(let accept, let produces): "cannot produce any of '\(accept)'; this route produces \(produces.joined(separator: " or "))"
        case .missingImage(let reason): "no image in the request: \(reason)"
        case .malformedBody(let reason): "malformed body: \(reason)"
        case .undecodableImage(let reason): "the image cannot be decoded: \(reason)"
        case .imageTooLarge(let w, let h, let limit): "the image is \(w)x\(h) pixels; the limit is \(limit) pixels"
        case .badParameter(let name, let reason): "parameter '\(name)': \(reason)"
        case .overloaded: "the server is busy; retry later"
        case .deadlineExceeded: "the request waited too long in the queue; retry later"
        case .shuttingDown: "the server is shutting down"
        case .clientGone: "the client closed the connection before its job ran"
        case .internalFailure(let reason): "internal error: \(reason)"
        }
    }

    /// Headers a status requires: Allow with 405 (RFC 9110 15.5.6), Retry-After with 503 (10.2.3).
    public var headers: [(String, String)] {
        switch self {
        case .methodNotAllowed(let allowed): [("Allow", allowed.joined(separator: ", "))]
        case .overloaded(let seconds), .deadlineExceeded(let seconds): [("Retry-After", String(seconds))]
        case .shuttingDown: [("Retry-After", "5"), ("Connection", "close")]
        default: []
        }
    }

    /// Maps lower layers' errors into the service's.
    public init(_ error: any Error) {
        switch error {
        case let e as ServiceError: self = e
        case let e as ImageDecodeError:
            if case .tooLarge(let w, let h, let limit) = e { self = .imageTooLarge(width: w, height: h, limit: limit) }
            else if case .unsupportedFormat = e { self = .unsupportedMediaType("unrecognised image bytes") }
            else { self = .undecodableImage("\(e)") }
        case let e as EngineError:
            switch e {
            case .unknownLayer, .notATargetLayer: self = .badParameter(name: "layer", reason: e.description)
            case .classOutOfRange: self = .badParameter(name: "class", reason: e.description)
            default: self = .internalFailure(e.description)
            }
        case let e as CAMError: self = .badParameter(name: "method", reason: e.description)
        default: self = .internalFailure("\(error)")
        }
    }
}
