import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Reading request bodies the same way everywhere: a size limit (413), JSON only (415), and decoding errors that
/// name the field (400).
enum RequestBody {
    /// The largest body accepted: 1 MB.
    static let limit = 1_048_576

    /// The raw body, up to the limit.
    static func bytes(of request: Request) async throws -> ByteBuffer {
        var request = request
        return try await request.collectBody(upTo: limit)
    }

    /// Checks that the body is declared as JSON.
    static func requireJSON(_ request: Request) throws {
        let type = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" || type?.hasSuffix("+json") == true else {
            throw Problem(
                "unsupported-media-type",
                status: .unsupportedMediaType,
                detail: "send the body as application/json (got \(request.headers[.contentType] ?? "no Content-Type"))",
                field: "Content-Type"
            )
        }
    }

    /// Decodes a JSON body, naming the field at fault when it does not fit.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder.api.decode(T.self, from: buffer)
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    /// A problem that says which field of the JSON body is wrong and how.
    static func problem(for error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey], appending key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidField(path(context.codingPath, appending: key), "is required")
        case .typeMismatch(let type, let context):
            return .invalidField(path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalidField(path(context.codingPath), "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return Problem("malformed-json", status: .badRequest, detail: "the body is not valid JSON")
            }
            return .invalidField(path(context.codingPath), context.debugDescription)
        @unknown default:
            return Problem("malformed-json", status: .badRequest, detail: "the body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: String(describing: type).contains("Dictionary") ? "an object" : "\(type)"
        }
    }
}

extension JSONDecoder {
    /// The decoder of every API request: ISO 8601 dates.
    static let api: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
