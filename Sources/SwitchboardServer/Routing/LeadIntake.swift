import Foundation
import Storage

/// The one way a lead enters: stored (with its routing job; the store commits concurrent leads together) and then
/// handed to the routing worker. Every channel — webhook, API, CSV import — goes through here.
struct LeadIntake: Sendable {
    let store: any SwitchboardStore
    let worker: RoutingWorker
    let metrics: ServiceMetrics

    /// Stores the lead, then wakes the routing worker. Returns only once the lead is committed.
    func submit(_ intake: Intake) async throws -> IntakeResult {
        let result = try await store.accept([intake])[0]
        if case .stored = result {
            metrics.leadReceived(channel: intake.record.channel)
            worker.wake()
        }
        return result
    }

    /// A new lead id: time-ordered, so ids sort roughly by arrival (`ld_` + 12 hex digits of ms + 10 random).
    static func newID() -> String {
        let millis = UInt64(Date().timeIntervalSince1970 * 1000)
        let random = UInt64.random(in: 0..<(1 << 40))
        return "ld_" + String(millis, radix: 16).leftPadded(to: 12) + String(random, radix: 16).leftPadded(to: 10)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
