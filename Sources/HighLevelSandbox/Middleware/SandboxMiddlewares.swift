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

/// Turns failures into GHL's error shape: `{"statusCode", "message", "error", "traceId"}` as JSON.
struct ErrorShapeMiddleware: ServerMiddleware {
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
            return Self.response(.badRequest(error.causeDescription))
        }
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

/// Requires GHL's `Version` header (`2021-07-28`) on every call but the OAuth token endpoint.
struct VersionMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if operationID != "get-access-token" {
            guard let version = HTTPField.Name("Version").flatMap({ request.headerFields[$0] }) else {
                throw SandboxFailure.badRequest("Version header is required")
            }
            guard version == "2021-07-28" else {
                throw SandboxFailure.badRequest("Version \(version) is not supported")
            }
        }
        return try await next(request, body, metadata)
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
