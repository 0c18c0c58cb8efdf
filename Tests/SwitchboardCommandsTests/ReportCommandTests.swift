import Foundation
import Testing

@testable import SwitchboardCommands

@Suite("switchboard report funnel")
struct ReportCommandTests {
    @Test("the table shows counts with their rates, show rate of booked, and — where there is no speed data")
    func table() {
        let report: [String: Any] = [
            "groupBy": "location", "since": "2026-11-30T00:00:00Z",
            "rows": [
                [
                    "key": "atx-downtown", "delivered": 8, "attempted": 6, "contacted": 4, "booked": 2, "showed": 1,
                    "won": 1, "lost": 1, "rerouted": 0, "revenue": 499.0,
                    "speedToLead": ["p50Seconds": 240.0, "p90Seconds": 5_400.0, "n": 6],
                ],
                [
                    "key": "dallas-uptown", "delivered": 0, "attempted": 0, "contacted": 0, "booked": 0, "showed": 0,
                    "won": 0, "lost": 0, "rerouted": 0, "revenue": 0.0, "speedToLead": ["n": 0],
                ],
            ],
            "total": [
                "key": "total", "delivered": 8, "attempted": 6, "contacted": 4, "booked": 2, "showed": 1, "won": 1,
                "lost": 1, "rerouted": 0, "revenue": 499.0,
                "speedToLead": ["p50Seconds": 240.0, "p90Seconds": 5_400.0, "n": 6],
            ],
        ]
        let lines = FunnelTable(report: report).text.split(separator: "\n").map(String.init)
        let atx = try! #require(lines.first { $0.hasPrefix("atx-downtown") })
        #expect(atx.contains("6 (75%)"))  // attempted of delivered
        #expect(atx.contains("1 (50%)"))  // showed of booked
        #expect(atx.contains("499.00"))
        #expect(atx.contains("4m") && atx.contains("1.5h"))
        let dallas = try! #require(lines.first { $0.hasPrefix("dallas-uptown") })
        #expect(dallas.contains("—"))
        #expect(lines.contains { $0.hasPrefix("total") })
    }

    @Test("--since takes a duration back from now or an ISO 8601 time")
    func times() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(ReportCommand.Funnel.time("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(ReportCommand.Funnel.time("90m", now: now) == now.addingTimeInterval(-5_400))
        #expect(ReportCommand.Funnel.time("2026-11-30T00:00:00Z", now: now) != nil)
        #expect(ReportCommand.Funnel.time("7x", now: now) == nil)
        #expect(ReportCommand.Funnel.time("-1d", now: now) == nil)
    }
}
