import Foundation
import HTTPTypes
import OpenAPIRuntime

/// GHL's documented limits, enforced per resource (the company for agency calls, each location for location
/// calls): at most `max` calls in any `interval`, and `daily` per day. Every answer carries the `X-RateLimit-*`
/// headers; a call over the limit is answered 429 without `Retry-After`, as GHL does.
actor SandboxRateLimits {
    let max: Int
    let interval: TimeInterval
    let daily: Int
    private var recent: [String: [Date]] = [:]
    private var today: [String: (day: Int, count: Int)] = [:]
    private let now: @Sendable () -> Date

    init(max: Int, interval: TimeInterval, daily: Int, now: @escaping @Sendable () -> Date) {
        self.max = max
        self.interval = interval
        self.daily = daily
        self.now = now
    }

    /// Counts a call; returns whether it is allowed and the headers to answer with.
    func admit(_ resource: String) -> (allowed: Bool, headers: HTTPFields) {
        let now = now()
        var times = recent[resource, default: []].filter { now.timeIntervalSince($0) < interval }
        let day = Int(now.timeIntervalSince1970 / 86_400)
        var used = today[resource].flatMap { $0.day == day ? $0.count : nil } ?? 0
        let allowed = times.count < max && used < daily
        if allowed {
            times.append(now)
            used += 1
        }
        recent[resource] = times
        today[resource] = (day, used)
        var headers = HTTPFields()
        headers[HTTPField.Name("X-RateLimit-Max")!] = "\(max)"
        headers[HTTPField.Name("X-RateLimit-Remaining")!] = "\(Swift.max(0, max - times.count))"
        headers[HTTPField.Name("X-RateLimit-Interval-Milliseconds")!] = "\(Int(interval * 1000))"
        headers[HTTPField.Name("X-RateLimit-Limit-Daily")!] = "\(daily)"
        headers[HTTPField.Name("X-RateLimit-Daily-Remaining")!] = "\(Swift.max(0, daily - used))"
        headers[HTTPField.Name.sandboxResource] = resource
        return (allowed, headers)
    }
}

/// Applies ``SandboxRateLimits`` and the current ``FaultPlan``.
struct SandboxLimitsMiddleware: ServerMiddleware {
    let limits: SandboxRateLimits
    let controls: SandboxControls

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let resource: String
        switch SandboxCaller.current {
        case .location(let id): resource = "location:\(id)"
        case .agency, nil: resource = "company"
        }
        let fault = await controls.fault()
        if let latency = fault.latency { try await Task.sleep(for: latency) }
        var (allowed, headers) = await limits.admit(resource)
        if fault.throttle {
            allowed = false
            headers[HTTPField.Name("X-RateLimit-Remaining")!] = "0"
        }
        guard allowed else {
            return ErrorShapeMiddleware.response(
                SandboxFailure(status: 429, message: "Too many requests"),
                headers: headers
            )
        }
        if let status = fault.failure {
            return ErrorShapeMiddleware.response(
                SandboxFailure(status: status, message: "Sandbox fault injection: simulated failure"),
                headers: headers
            )
        }
        var (response, responseBody) = try await next(request, body, metadata)
        for field in headers { response.headerFields[field.name] = field.value }
        return (response, responseBody)
    }
}

/// The sandbox's adjustable behaviour: its fault plan (set at start and through the admin endpoint).
public actor SandboxControls {
    public private(set) var faults: FaultPlan
    private let now: @Sendable () -> Date
    private var random = SystemRandomNumberGenerator()

    init(faults: FaultPlan, now: @escaping @Sendable () -> Date) {
        self.faults = faults
        self.now = now
    }

    public func setFaults(_ faults: FaultPlan) {
        self.faults = faults
    }

    /// What to do to the next call: delay it, throttle it, fail it.
    func fault() -> (latency: Duration?, throttle: Bool, failure: Int?) {
        let now = now()
        let latency =
            faults.latencyMilliseconds.upperBound > 0
            ? Duration.milliseconds(Int.random(in: faults.latencyMilliseconds, using: &random)) : nil
        if let outage = faults.outageUntil, now < outage { return (latency, false, 503) }
        if let storm = faults.throttleUntil, now < storm { return (latency, true, nil) }
        if faults.errorRate > 0, Double.random(in: 0..<1, using: &random) < faults.errorRate {
            return (latency, false, [500, 502, 503].randomElement(using: &random)!)
        }
        return (latency, false, nil)
    }
}
