import Foundation
import HighLevel
import Synchronization
import Testing

@Suite("Rate limiter")
struct RateLimiterTests {
    /// A clock that stands still and records every deadline slept until: the slots the limiter reserved.
    final class RecordingClock: Clock, Sendable {
        typealias Duration = Swift.Duration
        typealias Instant = ContinuousClock.Instant

        let now = ContinuousClock.now
        var minimumResolution: Duration { .nanoseconds(1) }
        private let deadlines = Mutex<[Instant]>([])

        var slept: [Duration] {
            deadlines.withLock { $0.map { $0 - now }.sorted() }
        }

        func sleep(until deadline: Instant, tolerance: Duration?) async throws {
            deadlines.withLock { $0.append(deadline) }
        }
    }

    @Test("callers are queued into slots: never more than max in any interval, none refused")
    func window() async throws {
        let clock = RecordingClock()
        let limiter = RateLimiter(max: 5, interval: .milliseconds(200), clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { try await limiter.acquire() } }
            try await group.waitForAll()
        }
        // The first 5 go at once; the next 15 wait for the 2nd, 3rd and 4th window (each 200 ms plus the 5 %
        // margin), 5 in each.
        let expected = [210, 420, 630].flatMap { Array(repeating: Duration.milliseconds($0), count: 5) }
        #expect(clock.slept == expected)
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
