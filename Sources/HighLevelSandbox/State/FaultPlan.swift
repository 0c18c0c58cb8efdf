public import Foundation

/// The faults the sandbox injects, to rehearse what real GHL does on a bad day.
public struct FaultPlan: Sendable, Hashable, Codable {
    /// Share of calls (0…1) answered with a 5xx.
    public var errorRate: Double
    /// Added latency, in milliseconds, drawn uniformly from this range.
    public var latencyMilliseconds: ClosedRange<Int>
    /// Until then, every call is answered 503 (an outage).
    public var outageUntil: Date?
    /// Until then, every call is answered 429 (a throttling storm).
    public var throttleUntil: Date?

    public init(
        errorRate: Double = 0,
        latencyMilliseconds: ClosedRange<Int> = 0...0,
        outageUntil: Date? = nil,
        throttleUntil: Date? = nil
    ) {
        self.errorRate = errorRate
        self.latencyMilliseconds = latencyMilliseconds
        self.outageUntil = outageUntil
        self.throttleUntil = throttleUntil
    }

    /// No faults.
    public static let none = FaultPlan()
}
