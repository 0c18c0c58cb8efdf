import Foundation
import HTTPTypes
import OpenAPIRuntime
import ServiceLifecycle

/// How the client retries calls that are safe to repeat.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, for server errors, timeouts and transport failures.
    public var maxAttempts: Int
    /// Attempts in all when GHL keeps answering 429 (the rate limiter paces them, so these cost little).
    public var maxThrottledAttempts: Int
    /// The first backoff; each retry doubles it, with full jitter, up to `maxDelay`.
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(
        maxAttempts: Int = 5,
        maxThrottledAttempts: Int = 20,
        baseDelay: Duration = .milliseconds(200),
        maxDelay: Duration = .seconds(10)
    ) {
        self.maxAttempts = maxAttempts
        self.maxThrottledAttempts = maxThrottledAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1, maxThrottledAttempts: 1)

    /// The pause before attempt `attempt + 1`: exponential, capped, with full jitter.
    func delay(after attempt: Int) -> Duration {
        let seconds = Double.random(
            in: 0...min(maxDelay.inSeconds, baseDelay.inSeconds * Double(1 << min(attempt - 1, 20)))
        )
        return .milliseconds(Int(seconds * 1000))
    }
}

/// Retries idempotent calls (GET, PUT, DELETE, contact upsert, location-token minting) on 5xx, 408, 429 and
/// transport errors. `POST /locations/` and other creates are never retried blind: a lost answer may hide a
/// success, so their callers reconcile (search) before trying again.
struct RetryMiddleware: ClientMiddleware {
    let policy: RetryPolicy

    static let idempotentPosts: Set<String> = ["upsert-contact", "get-location-access-token"]

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let idempotent =
            request.method != .post && request.method != .patch
            || Self.idempotentPosts.contains(operationID)
        guard idempotent else { return try await next(request, body, baseURL) }
        var attempt = 1
        var throttled = 0
        while true {
            do {
                let (response, responseBody) = try await next(request, body, baseURL)
                let status = response.status.code
                if status == 429, throttled + 1 < policy.maxThrottledAttempts {
                    // The rate limiter has paused this resource; the next attempt waits there.
                    throttled += 1
                    continue
                }
                // Once the service shuts down the answer stands: the caller's own retry schedule takes over.
                guard HighLevelError.isRetryable(status: status), status != 429, attempt < policy.maxAttempts,
                    !Task.isShuttingDownGracefully
                else {
                    return (response, responseBody)
                }
            } catch {
                // Only transport failures are worth another try; our own refusals (credentials, daily budget) and
                // cancellation are not.
                let cause = error.unwrappedFromClientErrors
                guard !(cause is CancellationError), !(cause is HighLevelError), attempt < policy.maxAttempts,
                    !Task.isShuttingDownGracefully
                else {
                    throw error
                }
            }
            try await Task.sleep(for: policy.delay(after: attempt))
            attempt += 1
        }
    }
}
