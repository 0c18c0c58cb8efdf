import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An error answered as RFC 9457 `application/problem+json`: a status, a short title, a detail that says what to
/// fix, and — for bad input — the field at fault.
public struct Problem: Error, HTTPResponseError, Sendable, Codable, Equatable {
    /// A URI-like name for the kind of problem, e.g. `urn:switchboard:problem:invalid-field`.
    public var type: String
    public var title: String
    /// The HTTP status code, repeated in the body.
    public var statusCode: Int
    public var detail: String
    /// The JSON field (or query parameter, or header) at fault.
    public var field: String?
    /// The lead concerned, when there is one (e.g. the earlier lead of a duplicate webhook).
    public var leadId: String?
    /// Seconds to wait before trying again (429, 503).
    public var retryAfter: Int?
    /// The methods the path takes (405): sent as the `Allow` header, not in the body.
    public var allow: String? = nil

    public init(
        _ kind: String,
        status: HTTPResponse.Status,
        detail: String,
        field: String? = nil,
        leadId: String? = nil,
        retryAfter: Int? = nil
    ) {
        self.type = "urn:switchboard:problem:\(kind)"
        self.title = status.reasonPhrase
        self.statusCode = status.code
        self.detail = detail
        self.field = field
        self.leadId = leadId
        self.retryAfter = retryAfter
    }

    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    // MARK: Common problems

    public static func invalidField(_ field: String, _ detail: String) -> Problem {
        Problem("invalid-field", status: .badRequest, detail: detail, field: field)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem("not-found", status: .notFound, detail: detail)
    }

    public static func conflict(_ detail: String, field: String? = nil) -> Problem {
        Problem("conflict", status: .conflict, detail: detail, field: field)
    }

    /// The service cannot persist right now; the client (or GHL) should send again.
    public static func busy(_ detail: String) -> Problem {
        Problem("busy", status: .tooManyRequests, detail: detail, retryAfter: 1)
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem("unauthorized", status: .unauthorized, detail: detail)
    }

    // MARK: HTTPResponseError

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if statusCode == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if let allow { headers[.allow] = allow }
        let body = try JSONEncoder.api.encode(self)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private enum CodingKeys: String, CodingKey {
        case type, title, detail, field, leadId, retryAfter
        case statusCode = "status"
    }
}

extension JSONEncoder {
    /// The encoder of every API response: sorted keys, ISO 8601 dates.
    static let api: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
