import Foundation
import LeadRouting
import Testing

@Suite("Business time: a location's open hours in its own zone")
struct BusinessClockTests {
    static let chicago = UTCOffsets(identifier: "America/Chicago")!
    static let hours = try! WeeklyHours(parsing: "mon-fri 06:00-21:00; sat 08:00-18:00; sun closed")

    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("a lead delivered 20 minutes before closing has 15 minutes of SLA left the next morning")
    func acrossClosingTime() {
        let clock = BusinessClock(hours: Self.hours, offsets: Self.chicago)
        // Friday 2026-03-06 20:40 CST (02:40Z Saturday); 35 business minutes → Saturday 08:15 CST.
        let delivered = Self.date("2026-03-07T02:40:00Z")
        let due = clock.date(after: 35 * 60, from: delivered)
        #expect(due == Self.date("2026-03-07T14:15:00Z"))
        #expect(clock.openSeconds(from: delivered, to: Self.date("2026-03-07T14:15:00Z")) == 35 * 60)
        #expect(!clock.isOpen(at: Self.date("2026-03-07T04:00:00Z")))
        #expect(clock.isOpen(at: delivered))
    }

    @Test("across a DST change the clock counts local opening hours, not 24-hour days")
    func acrossDaylightSaving() {
        let clock = BusinessClock(hours: Self.hours, offsets: Self.chicago)
        // Saturday 2026-03-07 17:50 CST; closed Sunday (DST starts 2026-03-08 02:00); Monday opens 06:00 CDT = 11:00Z.
        let delivered = Self.date("2026-03-07T23:50:00Z")
        #expect(clock.date(after: 15 * 60, from: delivered) == Self.date("2026-03-09T11:05:00Z"))
        // November: Sunday 2026-11-01 DST ends; Monday opens 06:00 CST = 12:00Z.
        let autumn = Self.date("2026-10-31T22:55:00Z")  // Saturday 17:55 CDT
        #expect(clock.date(after: 15 * 60, from: autumn) == Self.date("2026-11-02T12:10:00Z"))
    }

    @Test("no hours: every second counts; hours that never open give no deadline")
    func alwaysAndNever() {
        let start = Self.date("2026-03-07T02:40:00Z")
        #expect(BusinessClock.always.date(after: 900, from: start) == start.addingTimeInterval(900))
        let never = BusinessClock(hours: WeeklyHours(days: Array(repeating: [], count: 7)), offsets: Self.chicago)
        #expect(never.date(after: 900, from: start) == nil)
    }
}
