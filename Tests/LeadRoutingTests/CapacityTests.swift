import Foundation
import LeadRouting
import SwitchboardTesting
import Testing

@Suite("Capacity windows and the ledger")
struct CapacityTests {
    let chicago = UTCOffsets(identifier: "America/Chicago")!

    func windows(_ iso: String, _ offsets: UTCOffsets) -> CapacityWindows {
        CapacityWindows(secondsSince1970: Int64(Fixtures.date(iso).timeIntervalSince1970), offsets: offsets)
    }

    @Test("the day starts at local midnight, not UTC midnight")
    func localMidnight() {
        // 23:59 and 00:01 Chicago time (CST, UTC-6) on either side of local midnight.
        let before = windows("2026-12-01T05:59:00Z", chicago)
        let after = windows("2026-12-01T06:01:00Z", chicago)
        #expect(after.day == before.day + 1)
        #expect(
            before.dayResetsAt(offsets: chicago) == Int64(Fixtures.date("2026-12-01T06:00:00Z").timeIntervalSince1970)
        )
        // The same two instants are one UTC day.
        let utc = UTCOffsets(identifier: "UTC")!
        #expect(windows("2026-12-01T05:59:00Z", utc).day == windows("2026-12-01T06:01:00Z", utc).day)
    }

    @Test("the week starts on local Monday")
    func mondayWeeks() {
        let sunday = windows("2026-11-30T05:59:00Z", chicago)  // Sun 29 Nov 23:59 local
        let monday = windows("2026-11-30T06:00:00Z", chicago)  // Mon 30 Nov 00:00 local
        #expect(sunday.weekday == 6)
        #expect(monday.weekday == 0)
        #expect(monday.week == sunday.week + 1)
        #expect(
            sunday.weekResetsAt(offsets: chicago) == Int64(Fixtures.date("2026-11-30T06:00:00Z").timeIntervalSince1970)
        )
        #expect(windows("2026-12-06T12:00:00Z", chicago).week == monday.week)
    }

    @Test("daylight saving: the spring-forward day resets at local midnight in the new offset")
    func daylightSaving() {
        // 2026-03-08 is the US spring-forward day; midnight of the 9th is 05:00Z (CDT, UTC-5).
        let evening = windows("2026-03-09T04:30:00Z", chicago)
        #expect(evening.minuteOfDay == 23 * 60 + 30)
        #expect(
            evening.dayResetsAt(offsets: chicago) == Int64(Fixtures.date("2026-03-09T05:00:00Z").timeIntervalSince1970)
        )
    }

    @Test("taking a slot never exceeds a limit; releasing gives it back; a new day starts empty")
    func ledger() {
        var ledger = CapacityLedger()
        let limits = CapacityLimits(daily: 2, weekly: 3)
        let monday = windows("2026-11-30T15:00:00Z", chicago)
        #expect(ledger.take("gym", limits: limits, hotLead: false, in: monday) == nil)
        #expect(ledger.take("gym", limits: limits, hotLead: false, in: monday) == nil)
        #expect(ledger.take("gym", limits: limits, hotLead: false, in: monday) == .dayFull)
        #expect(ledger.usage(of: "gym", in: monday) == CapacityUsage(today: 2, thisWeek: 2))
        ledger.release("gym", takenIn: monday)
        #expect(ledger.usage(of: "gym", in: monday) == CapacityUsage(today: 1, thisWeek: 1))

        let tuesday = windows("2026-12-01T15:00:00Z", chicago)
        #expect(ledger.usage(of: "gym", in: tuesday) == CapacityUsage(today: 0, thisWeek: 1))
        #expect(ledger.take("gym", limits: limits, hotLead: false, in: tuesday) == nil)
        #expect(ledger.take("gym", limits: limits, hotLead: false, in: tuesday) == nil)
        #expect(ledger.take("gym", limits: limits, hotLead: false, in: tuesday) == .weekFull)
        // Releasing a slot from a day that has passed leaves today's count alone.
        ledger.release("gym", takenIn: monday)
        #expect(ledger.usage(of: "gym", in: tuesday) == CapacityUsage(today: 2, thisWeek: 2))
    }

    @Test("a routing session assigns until full, then reports noCapacity; the next local day it assigns again")
    func sessionResetsAtLocalMidnight() throws {
        let engine = try RoutingEngine(
            locations: [Fixtures.location("gym", zip: "78701", daily: 3)],
            directory: Fixtures.directory
        )
        var session = RoutingSession(engine: engine)
        let lateEvening = Fixtures.date("2026-12-01T05:30:00Z")  // 23:30 in Chicago
        let outcomes = (0..<4).map { _ in session.route(Fixtures.lead("78703", at: lateEvening)).outcome }
        #expect(outcomes == [.assigned, .assigned, .assigned, .noCapacity])
        let afterMidnight = Fixtures.date("2026-12-01T06:00:00Z")
        #expect(session.route(Fixtures.lead("78703", at: afterMidnight)).outcome == .assigned)
    }

    @Test("business hours text round-trips and rejects nonsense")
    func hours() throws {
        let hours = try WeeklyHours(parsing: "mon-fri 05:00-22:00; sat 07:00-12:00 13:00-19:00; sun closed")
        #expect(hours.isOpen(weekday: 0, minuteOfDay: 5 * 60))
        #expect(!hours.isOpen(weekday: 0, minuteOfDay: 22 * 60))
        #expect(!hours.isOpen(weekday: 5, minuteOfDay: 12 * 60 + 30))
        #expect(!hours.isOpen(weekday: 6, minuteOfDay: 600))
        #expect(try WeeklyHours(parsing: hours.description) == hours)
        #expect(try WeeklyHours(parsing: "sat-mon 24h").isOpen(weekday: 0, minuteOfDay: 1))
        for bad in ["", "someday 05:00-06:00", "mon 22:00-05:00", "mon 5-6", "mon", "mon 25:00-26:00"] {
            #expect(throws: WeeklyHours.ParseError.self) { try WeeklyHours(parsing: bad) }
        }
    }
}
