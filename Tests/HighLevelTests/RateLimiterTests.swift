import Foundation
import HighLevel
import Synchronization
import Testing

@Suite("Rate limiter")
struct RateLimiterTests {
    /// The instants at which `count` concurrent callers were let through.
    func admissionTimes(_ limiter: RateLimiter<ContinuousClock>, count: Int) async throws -> [ContinuousClock.Instant] {
        try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await limiter.acquire()
                    return ContinuousClock.now
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }.sorted()
        }
    }

    @Test("callers are queued, never more than max in any interval, and none is refused")
    func window() async throws {
        let limiter = RateLimiter(max: 5, interval: .milliseconds(200), clock: ContinuousClock())
        let start = ContinuousClock.now
        let times = try await admissionTimes(limiter, count: 20)
        #expect(times.count == 20)
        for (index, time) in times.enumerated() where index + 5 < times.count {
            // The sixth admission after any admission is at least one interval later (less a little for the time
            // it takes to read the clock after the first of them was let through without waiting).
            #expect(times[index + 5] - time >= .milliseconds(195))
        }
        #expect(times.last! - start >= .milliseconds(590), "20 calls at 5 per 200 ms need three full windows")
    }

    @Test("the headers teach the budget, and a 429 holds every caller back")
    func learning() async throws {
        let limiter = RateLimiter(max: 100, interval: .seconds(10), clock: ContinuousClock())
        await limiter.record(status: 200, headers: RateLimitHeaders(max: 2, intervalMilliseconds: 300))
        #expect(await limiter.max == 2)
        #expect(await limiter.interval == .milliseconds(300))

        await limiter.record(status: 429, headers: RateLimitHeaders())
        #expect(await limiter.throttledCount == 1)
        let start = ContinuousClock.now
        try await limiter.acquire()
        #expect(ContinuousClock.now - start >= .milliseconds(140), "a 429 pauses at least 0.5 × the base backoff")

        let remainingNone = RateLimiter(max: 100, interval: .milliseconds(200), clock: ContinuousClock())
        await remainingNone.record(status: 200, headers: RateLimitHeaders(remaining: 0))
        let waited = ContinuousClock.now
        try await remainingNone.acquire()
        #expect(ContinuousClock.now - waited >= .milliseconds(190), "Remaining: 0 waits for GHL's window to roll")
    }
}
