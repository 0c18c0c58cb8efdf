import Foundation
import LeadRouting
import Testing

@Suite("Civil days")
struct CivilDaysTests {
    @Test("Days and dates convert both ways, leap days and years before 1970 included, as Foundation's calendar does")
    func bothWays() throws {
        #expect(CivilDays.since1970(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDays.date(since1970: CivilDays.since1970(year: 2024, month: 2, day: 29)) == (2024, 2, 29))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for days in stride(from: -40_000, through: 60_000, by: 37) {
            let date = CivilDays.date(since1970: days)
            #expect(CivilDays.since1970(year: date.year, month: date.month, day: date.day) == days)
            let parts = calendar.dateComponents(
                [.year, .month, .day],
                from: Date(timeIntervalSince1970: Double(days) * 86_400)
            )
            #expect(parts.year == date.year && parts.month == date.month && parts.day == date.day, "\(days)")
        }
    }
}
