/// Keeps the calls to one GHL resource (a location, or the company) within GHL's budget: never more than `max`
/// calls in any window of `interval` (GHL: 100 per 10 s per app per resource).
///
/// Callers are queued, not failed: each ``acquire()`` reserves the earliest slot that keeps every window within
/// budget (with a 5 % margin for network jitter), in arrival order, and waits for it. GHL counts a call when it
/// arrives, which can be well after its slot when the connection pool queues it, so a call is also held back while
/// `max` of ours are in flight or were answered within the last interval. Each acquired call is ended by
/// ``record(status:headers:)``: the `X-RateLimit-*` headers adjust the budget, and a 429 (which GHL sends without
/// `Retry-After`) holds every caller back for a jittered, growing pause.
public actor RateLimiter<C: Clock> where C.Duration == Duration {
    /// GHL's budget: at most `max` calls in any `interval` (for this app, however many processes share it).
    public private(set) var max: Int
    /// The part of GHL's budget this process may use (1 when it is the only one; 1/N with N instances).
    public private(set) var share: Double = 1
    /// This process's budget per interval: its share of GHL's, at least one call.
    public var budget: Int { Swift.max(1, Int((Double(max) * share).rounded(.down))) }
    public private(set) var interval: Duration
    /// Calls answered 429 so far.
    public private(set) var throttledCount = 0

    private let clock: C
    /// The reserved send times of the most recent calls (at most `max`), ascending.
    private var reservations: [C.Instant] = []
    /// When our calls actually went out, within the last interval.
    private var sent: [C.Instant] = []
    /// Calls let through whose answer has not come back yet.
    private var inFlight = 0
    /// When answers came back, within the last interval (GHL counted those calls no later than that).
    private var answered: [C.Instant] = []
    /// No call is sent before this (after a 429, or when GHL says nothing remains).
    private var pausedUntil: C.Instant?
    private var consecutiveThrottles = 0
    private var random: any RandomNumberGenerator & Sendable

    public init(
        max: Int = 100,
        interval: Duration = .seconds(10),
        share: Double = 1,
        clock: C,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        precondition(max > 0 && interval > .zero, "a rate limit needs a positive budget")
        self.max = max
        self.interval = interval
        self.share = Swift.min(1, Swift.max(0.001, share))
        self.clock = clock
        self.random = random
    }

    /// Waits until a call may be sent, and counts it.
    /// - Throws: `CancellationError` if the caller is cancelled while waiting.
    public func acquire() async throws {
        while true {
            let slot = reserveSlot()
            if slot > clock.now { try await clock.sleep(until: slot, tolerance: nil) }
            // A 429 while we waited pushes the pause past our slot: queue again behind it.
            if let pausedUntil, pausedUntil > slot {
                continue
            }
            try await waitForCallsToClear()
            inFlight += 1
            sent.append(clock.now)
            return
        }
    }

    /// Waits while `max` of our calls are in flight or were answered within the last interval.
    private func waitForCallsToClear() async throws {
        while true {
            let windowStart = clock.now.advanced(by: .zero - interval)
            answered.removeAll { $0 <= windowStart }
            guard inFlight + answered.count >= budget else { return }
            // The oldest answer leaving the window frees a place; with none yet, look again shortly.
            let next = answered.first.map { $0.advanced(by: interval) } ?? clock.now.advanced(by: interval / 50)
            try await clock.sleep(until: next, tolerance: nil)
        }
    }

    /// The earliest instant that keeps every window within budget, reserved for the caller.
    private func reserveSlot() -> C.Instant {
        var slot = clock.now
        if let pausedUntil, pausedUntil > slot { slot = pausedUntil }
        let budget = budget
        if reservations.count >= budget {
            // A margin of 5 % of the window absorbs the jitter between when we send and when GHL counts the call.
            let windowStart = reservations[reservations.count - budget].advanced(by: interval + interval / 20)
            if windowStart > slot { slot = windowStart }
        }
        reservations.append(slot)
        if reservations.count > max { reservations.removeFirst(reservations.count - max) }
        return slot
    }

    /// Ends an acquired call and learns from its response: status and `X-RateLimit-*` headers. Pass `nil` for a
    /// call that got no answer (it may still have reached GHL, so it counts like an answered one).
    public func record(status: Int?, headers: RateLimitHeaders) {
        inFlight = Swift.max(0, inFlight - 1)
        answered.append(clock.now)
        guard let status else { return }
        if let newMax = headers.max, newMax > 0, newMax != max { max = newMax }
        if let milliseconds = headers.intervalMilliseconds, milliseconds > 0 {
            interval = .milliseconds(milliseconds)
        }
        if status == 429 {
            throttledCount += 1
            consecutiveThrottles += 1
            // 0.5 s, 1 s, 2 s … up to the window, each with ±50 % jitter so queued callers do not stampede.
            let base = min(interval.inSeconds, 0.5 * Double(1 << min(consecutiveThrottles - 1, 10)))
            let seconds = base * Double.random(in: 0.5...1.5, using: &random)
            pause(for: .milliseconds(Int(seconds * 1000)))
            return
        }
        consecutiveThrottles = 0
        if headers.remaining == 0, sentInCurrentWindow() < max {
            // GHL's window is full though ours is not: GHL counted some of our calls later than we sent them (a
            // busy connection pool or network), or calls we did not make (another process or app of ours) share
            // the budget. GHL's window rolls when the oldest call it counts ages out: wait until our oldest call
            // in the window leaves it (with the margin), or a whole interval when we sent none. Waiting a whole
            // interval every time stalled a busy location for most of a window.
            let until =
                sent.first.map { $0.advanced(by: interval + interval / 20) } ?? clock.now.advanced(by: interval)
            if pausedUntil.map({ until > $0 }) ?? true { pausedUntil = until }
        }
    }

    /// How many of our calls went out in the last interval.
    private func sentInCurrentWindow() -> Int {
        let start = clock.now.advanced(by: .zero - interval)
        sent.removeAll { $0 <= start }
        return sent.count
    }

    /// Sets the part of GHL's budget this process may use (0 < share ≤ 1).
    public func setShare(_ share: Double) {
        self.share = Swift.min(1, Swift.max(0.001, share))
    }

    private func pause(for duration: Duration) {
        let until = clock.now.advanced(by: duration)
        if pausedUntil.map({ until > $0 }) ?? true { pausedUntil = until }
    }
}

extension Duration {
    /// The duration as a number of seconds.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
