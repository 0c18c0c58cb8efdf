import Foundation
import HTTPTypes
import Hummingbird
import LeadRouting
import NIOCore
import NIOFoundationCompat

/// Reading request bodies the same way everywhere: a size limit (413), JSON only (415), and decoding errors that
/// name the field (400).
enum RequestBody {
    /// The largest body accepted: 1 MB.
    static let limit = 1_048_576

    /// What all bodies being read at once may take: 64 MB. Beyond it a request is answered 429 (which GHL
    /// retries) instead of growing the process without bound when many clients send slowly.
    static let inFlight = BodyBudget(bytes: 64 * 1_048_576)

    /// The raw body, up to the limit. A declared `Content-Length` over the limit is refused (413) before any of
    /// the body is read.
    static func bytes(of request: Request) async throws -> ByteBuffer {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > limit {
            throw Problem(
                "too-large",
                status: .contentTooLarge,
                detail: "the body is \(declared) bytes; at most \(limit) are accepted"
            )
        }
        let chunked = request.headers[.transferEncoding] != nil
        let reserved = min(declared ?? (chunked ? limit : 0), limit)
        guard inFlight.reserve(reserved) else {
            throw Problem(
                "busy",
                status: .tooManyRequests,
                detail: "too many request bodies are being received at once; send it again shortly",
                retryAfter: 1
            )
        }
        defer { inFlight.release(reserved) }
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
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let located = locate(T.self, in: Data(buffer: buffer), failing: context.debugDescription)
            {
                throw located
            }
            throw problem(for: error)
        }
    }

    /// Finds the field behind a decoding error that names none (Foundation on Linux reports numbers out of
    /// range and malformed dates without their path): the top-level key without which the body decodes, or —
    /// for a number too large to parse at all — the key in front of it.
    private static func locate<T: Decodable>(_ type: T.Type, in body: Data, failing reason: String) -> Problem? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            // "Number 1e400 is not representable in Swift."
            let text = String(decoding: body, as: UTF8.self)
            guard let number = reason.firstMatch(of: /Number (\S+) is not representable/)?.1 ?? hugeNumber(in: text)
            else { return nil }
            let pattern = #""([^"\\]{1,128})"\s*:\s*"# + NSRegularExpression.escapedPattern(for: String(number))
            guard let regex = try? Regex<(Substring, Substring)>(pattern), let key = text.firstMatch(of: regex)?.1
            else { return nil }
            return .invalidField(String(key), "the number \(number) is out of range")
        }
        for key in object.keys.sorted() {
            var without = object
            without[key] = nil
            guard let data = try? JSONSerialization.data(withJSONObject: without) else { continue }
            do {
                _ = try JSONDecoder.api.decode(T.self, from: data)
            } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
                continue
            } catch let DecodingError.keyNotFound(missing, _) where missing.stringValue == key {
                continue  // a required key: removing it tells nothing
            } catch {}
            // Without this key the body no longer fails the same way: the key is at fault.
            let value = object[key]
            if reason.contains("date") || reason.contains("ISO 8601") {
                return .invalidField(key, "must be an ISO 8601 time, e.g. 2026-11-30T12:00:00Z")
            }
            if let number = value as? NSNumber {
                return .invalidField(key, "\(number) is out of range or not a whole number where one is needed")
            }
            return .invalidField(key, "is not a valid value")
        }
        return nil
    }

    /// A number literal too long for any numeric type (JSON numbers with exponents or 20+ digits).
    private static func hugeNumber(in text: String) -> Substring? {
        text.firstMatch(of: /-?\d+(\.\d+)?[eE][+-]?\d{3,}/)?.0
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
        case .typeMismatch(_, let context) where context.codingPath.isEmpty,
            .valueNotFound(_, let context) where context.codingPath.isEmpty:
            // `[]`, `null`, `"text"`: not even an object; no field is at fault.
            return Problem("malformed-json", status: .badRequest, detail: "the body must be a JSON object")
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
    /// The decoder of every API request: times are RFC 3339 (the OpenAPI `date-time`), read strictly.
    static let api: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = InternetTimestamp.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "'\(text)' is not an ISO 8601 time such as 2026-11-30T12:00:00Z"
                )
            }
            return date
        }
        return decoder
    }()
}
