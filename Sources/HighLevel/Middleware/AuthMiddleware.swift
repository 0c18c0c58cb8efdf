import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Adds the right bearer token to each call (agency or location, per ``RequestScope``), and on a 401 gets a fresh
/// token and tries once more.
struct AuthMiddleware: ClientMiddleware {
    let tokens: TokenStore

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let scope = RequestScope.of(operationID: operationID)
        var request = request
        if let token = try await tokens.token(for: scope) { request.headerFields[.authorization] = "Bearer \(token)" }
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.code == 401, scope != .unauthenticated else { return (response, responseBody) }
        await tokens.invalidate(scope)
        if let token = try await tokens.token(for: scope) { request.headerFields[.authorization] = "Bearer \(token)" }
        return try await next(request, body, baseURL)
    }
}

/// Adds an agency token given through a task-local: for the token client, which mints location tokens.
struct AgencyTokenMiddleware: ClientMiddleware {
    @TaskLocal static var token: String?

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if let token = Self.token { request.headerFields[.authorization] = "Bearer \(token)" }
        return try await next(request, body, baseURL)
    }
}
