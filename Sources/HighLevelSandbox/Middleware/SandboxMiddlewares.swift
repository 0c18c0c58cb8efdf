import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Records every call in the journal, bodies included (the sandbox is for tests and rehearsals, not production).
struct JournalMiddleware: ServerMiddleware {
    let journal: SandboxJournal
    let now: @Sendable () -> Date

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var requestData: Data?
        if let body { requestData = try await Data(collecting: body, upTo: 2_097_152) }
        let (response, responseBody) = try await next(request, requestData.map { HTTPBody($0) }, metadata)
        var responseData: Data?
        if let responseBody { responseData = try await Data(collecting: responseBody, upTo: 2_097_152) }
        await journal.record(
            .init(
                at: now(),
                operation: operationID,
                method: request.method.rawValue,
                path: request.path ?? "",
                status: response.status.code,
                resource: response.headerFields[HTTPField.Name.sandboxResource],
                requestBody: requestData,
                responseBody: responseData
            )
        )
        var cleaned = response
        cleaned.headerFields[HTTPField.Name.sandboxResource] = nil
        return (cleaned, responseData.map { HTTPBody($0) })
    }
}

/// Turns failures into GHL's error shape: `{"statusCode", "message", "error", "traceId"}` as JSON. A request the
/// generated code cannot read (a missing or mistyped field or parameter) is answered as GHL's validation does:
/// 422 where the operation documents it (else 400), with a message naming the property.
struct ErrorShapeMiddleware: ServerMiddleware {
    /// The operations whose spec documents a 422 answer.
    var unprocessable: Set<String> = []

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let failure as SandboxFailure {
            return Self.response(failure)
        } catch let error as ServerError {
            if let failure = error.underlyingError as? SandboxFailure { return Self.response(failure) }
            // The generated server could not decode the request: a malformed or incomplete body or parameter.
            let status = unprocessable.contains(operationID) ? 422 : 400
            return Self.response(SandboxFailure(status: status, message: Self.validationMessage(error)))
        }
    }

    /// What was wrong with the request, naming the property or parameter (`customFields[0].id must be a string`).
    static func validationMessage(_ error: ServerError) -> String {
        if let decoding = error.underlyingError as? DecodingError {
            return describe(decoding)
        }
        // The runtime's own errors name the parameter: "Missing required query parameter named: locationId".
        let text = error.causeDescription
        if let range = text.range(of: #"named:? '?([A-Za-z0-9_.\-]+)'?"#, options: .regularExpression) {
            let name = text[range].split(whereSeparator: { $0 == " " || $0 == ":" }).last.map(String.init) ?? ""
            return "\(name.trimmingCharacters(in: CharacterSet(charactersIn: "'"))) should not be empty"
        }
        if text.contains("request body") { return "the request body should not be empty" }
        return text
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { path, key in
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += path.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
        }
        func kind(_ type: Any.Type) -> String {
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            if ["Double", "Float", "Int"].contains(where: name.hasPrefix) { return "a number" }
            if name == "Bool" { return "a boolean value" }
            if name.hasPrefix("String") || name.hasPrefix("Substring") { return "a string" }
            return "an object"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) should not be empty"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) should not be empty"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be \(kind(type))"
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty { return "the request body is not valid JSON" }
            return context.debugDescription.contains("invalid")
                ? "\(field) must be one of the allowed values" : "\(field) is not valid"
        @unknown default:
            return "the request is not valid"
        }
    }

    /// Reads from the OpenAPI document which operations document a 422 answer.
    static func operationsDocumenting422(spec: Data) throws -> Set<String> {
        guard let document = try JSONSerialization.jsonObject(with: spec) as? [String: Any],
            let paths = document["paths"] as? [String: [String: Any]]
        else { return [] }
        var result: Set<String> = []
        for item in paths.values {
            for case let operation as [String: Any] in item.values {
                if let id = operation["operationId"] as? String,
                    (operation["responses"] as? [String: Any])?["422"] != nil
                {
                    result.insert(id)
                }
            }
        }
        return result
    }

    /// The standard phrase of a status, as GHL puts it in `error`.
    static func reasonPhrase(_ status: Int) -> String {
        let known: [HTTPResponse.Status] = [
            .badRequest, .unauthorized, .forbidden, .notFound, .unprocessableContent, .tooManyRequests,
            .internalServerError, .badGateway, .serviceUnavailable,
        ]
        return known.first { $0.code == status }.map { $0.code == 422 ? "Unprocessable Entity" : $0.reasonPhrase }
            ?? "Error"
    }

    static func response(_ failure: SandboxFailure, headers: HTTPFields = [:]) -> (HTTPResponse, HTTPBody?) {
        var object: [String: Any] = [
            "statusCode": failure.status,
            "message": failure.status == 422 ? [failure.message] as Any : failure.message,
            "error": Self.reasonPhrase(failure.status),
            "traceId": UUID().uuidString,
        ]
        for (key, value) in failure.extra { object[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var response = HTTPResponse(status: .init(code: failure.status))
        response.headerFields = headers
        response.headerFields[.contentType] = "application/json"
        return (response, HTTPBody(data))
    }
}

/// Requires GHL's `Version` header on every call but the OAuth token endpoint (where it is optional): a v2 date
/// (`2021-07-28`, or `2021-04-15` for conversations — the generated handlers check each operation's) or `v3`, each
/// on the paths its own spec defines. Runs the rest of the call with
/// ``SandboxAPIVersion/current`` set, and hands the generated (v2) handlers a v2 `Version` header.
struct VersionMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let header = HTTPField.Name("Version").flatMap { request.headerFields[$0] }
        let version: SandboxAPIVersion
        if let header {
            guard let known = SandboxAPIVersion.v2Dates[header] else {
                throw SandboxFailure.badRequest("Version \(header) is not supported")
            }
            version = known
        } else if operationID == "get-access-token" {
            version = .v2
        } else {
            throw SandboxFailure.badRequest("Version header is required")
        }
        // Each version's paths: v3 moved some (`/oauth/locationToken` → `/oauth/location-token`).
        let path = String((request.path ?? "").prefix { $0 != "?" })
        let aliases = SandboxAPIVersion.v3PathAliases
        let moved: [String] = version == .v3 ? Array(aliases.keys) : Array(aliases.values)
        if moved.contains(path) {
            throw SandboxFailure.notFound("Cannot \(request.method.rawValue) \(path) with Version \(version.rawValue)")
        }
        var forHandlers = request
        if let name = HTTPField.Name("Version"), version == .v3 {
            forHandlers.headerFields[name] = SandboxAPIVersion.v2Header(for: operationID)
        }
        return try await SandboxAPIVersion.$current.withValue(version) {
            try await next(header == nil ? request : forHandlers, body, metadata)
        }
    }
}

/// Checks the bearer token and sets ``SandboxCaller/current`` for the handlers.
struct SandboxAuthMiddleware: ServerMiddleware {
    let state: SandboxState

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if operationID == "get-access-token" { return try await next(request, body, metadata) }
        guard let header = request.headerFields[.authorization], header.hasPrefix("Bearer ") else {
            throw SandboxFailure.unauthorized("Invalid JWT")
        }
        guard let caller = await state.caller(forToken: String(header.dropFirst(7))) else {
            throw SandboxFailure.unauthorized("Invalid JWT")
        }
        return try await SandboxCaller.$current.withValue(caller) { try await next(request, body, metadata) }
    }
}

extension HTTPField.Name {
    /// Internal: carries the rate-limit resource from the limiter to the journal; removed before answering.
    static let sandboxResource = HTTPField.Name("X-Sandbox-Resource")!
}
