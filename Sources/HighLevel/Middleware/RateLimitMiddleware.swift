import Foundation
import HTTPTypes
import OpenAPIRuntime
import ServiceLifecycle

/// Sends each call through the rate limiter of its resource (the company, or one location) and feeds the
/// response's status and rate-limit headers back to it.
struct RateLimitMiddleware: ClientMiddleware {
    let limiters: RateLimiters

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let key = RequestScope.of(operationID: operationID).budgetKey
        if let until = await limiters.dailyBudgetExhausted(key) {
            throw HighLevelError(
                code: .dailyLimitReached,
                message:
                    "GHL's daily call budget for \(key) is used up; calls resume after \(until.formatted(.iso8601))",
                operation: operationID,
                isRetryable: true
            )
        }
        let limiter = await limiters.limiter(for: key)
        // A call still waiting for its turn when the service shuts down is not sent: its caller gives the work
        // back rather than hold the shutdown for minutes behind a busy location's budget.
        do {
            try await cancelWhenGracefulShutdown {
                try await limiters.waitUntilOpen()
                try await limiter.acquire()
            }
        } catch is CancellationError where Task.isShuttingDownGracefully && !Task.isCancelled {
            throw HighLevelError(
                code: .notSent,
                message: "not sent: shutting down",
                operation: operationID,
                isRetryable: true
            )
        }
        let response: HTTPResponse
        let responseBody: HTTPBody?
        do {
            (response, responseBody) = try await next(request, body, baseURL)
        } catch {
            await limiter.record(status: nil, headers: RateLimitHeaders())
            throw error
        }
        let headers = RateLimitHeaders { name in
            HTTPField.Name(name).flatMap { response.headerFields[$0] }
        }
        await limiter.record(status: response.status.code, headers: headers)
        if headers.dailyRemaining == 0 { await limiters.markDailyBudgetExhausted(key) }
        return (response, responseBody)
    }
}

/// One rate limiter per GHL resource, created on first use.
public actor RateLimiters {
    private var limiters: [String: RateLimiter<ContinuousClock>] = [:]
    /// Resources whose daily budget GHL reported used up, and until when calls to them fail fast.
    private var dailyExhausted: [String: Date] = [:]
    /// How long to stop calling a resource whose daily budget is gone before probing again.
    private let dailyBackoff: TimeInterval = 600
    private let max: Int
    private let interval: Duration
    /// The part of GHL's budget this process may use (see ``setShare(_:)``).
    public private(set) var share: Double = 1
    /// No call goes out before this (a process joining others waits until they know of it).
    private var closedUntil: ContinuousClock.Instant?

    /// - Parameters:
    ///   - max: Calls per interval per resource until GHL's headers say otherwise (GHL: 100).
    ///   - interval: The interval (GHL: 10 s).
    public init(max: Int = 100, interval: Duration = .seconds(10)) {
        self.max = max
        self.interval = interval
    }

    /// Calls sent through the limiters so far (retries included).
    public private(set) var calls = 0

    /// The limiter of a resource (`company` or `location:ID`); each request asks once.
    public func limiter(for key: String) -> RateLimiter<ContinuousClock> {
        calls += 1
        if let existing = limiters[key] { return existing }
        let limiter = RateLimiter(max: max, interval: interval, share: share, clock: ContinuousClock())
        limiters[key] = limiter
        return limiter
    }

    /// Sets the part of GHL's per-resource budget this process may use, for every resource: GHL counts calls per
    /// app, so N processes of one app share each location's and the company's 100 calls per 10 s.
    public func setShare(_ share: Double) async {
        self.share = share
        for limiter in limiters.values { await limiter.setShare(share) }
    }

    /// Holds every call back until `instant` (a process that just joined others, until they have made room).
    public func close(until instant: ContinuousClock.Instant) {
        closedUntil = instant
    }

    /// Waits while the limiters are closed (see ``close(until:)``).
    func waitUntilOpen() async throws {
        if let closedUntil, closedUntil > .now { try await Task.sleep(until: closedUntil) }
    }

    /// Until when calls to a resource fail fast because its daily budget is used up, if they do.
    func dailyBudgetExhausted(_ key: String) -> Date? {
        guard let until = dailyExhausted[key] else { return nil }
        if until <= Date() {
            dailyExhausted[key] = nil
            return nil
        }
        return until
    }

    func markDailyBudgetExhausted(_ key: String) {
        dailyExhausted[key] = Date().addingTimeInterval(dailyBackoff)
    }

    /// Calls answered 429, over all resources.
    public func throttledCount() async -> Int {
        var total = 0
        for limiter in limiters.values { total += await limiter.throttledCount }
        return total
    }
}
