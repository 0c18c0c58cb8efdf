import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// Logs each call (operation, method, path, status, duration) at debug level. Headers and bodies are never
/// logged, so tokens and personal data stay out of the logs.
struct LoggingMiddleware: ClientMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let start = ContinuousClock.now
        var metadata: Logger.Metadata = [
            "ghl.operation": "\(operationID)",
            "http.method": "\(request.method.rawValue)",
            "http.path": "\(request.path?.split(separator: "?").first ?? "")",
        ]
        do {
            let (response, responseBody) = try await next(request, body, baseURL)
            metadata["http.status"] = "\(response.status.code)"
            let elapsed = (ContinuousClock.now - start).components
            metadata["duration.ms"] = "\(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)"
            logger.debug("GHL call", metadata: metadata)
            return (response, responseBody)
        } catch {
            metadata["error"] = "\(error)"
            logger.debug("GHL call failed", metadata: metadata)
            throw error
        }
    }
}
