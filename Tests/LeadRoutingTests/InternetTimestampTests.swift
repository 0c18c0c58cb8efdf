import Foundation
import LeadRouting
import Testing

@Suite("Internet timestamps (RFC 3339)")
struct InternetTimestampTests {
    @Test(
        "well-formed times are read to the instant, whatever the offset and fraction",
        arguments: [
            ("2026-11-30T12:00:00Z", 1_796_040_000.0),
            ("2026-11-30T06:00:00-06:00", 1_796_040_000.0),
            ("2026-11-30t12:00:00.250z", 1_796_040_000.25),
            ("2024-02-29T00:00:00+20:20", 1_709_091_600.0),
            ("1970-01-01T00:00:00Z", 0.0),
            ("0036-02-15T00:56:46.86+20:20", -61_027_327_393.14),
            ("2016-12-31T23:59:60Z", 1_483_228_799.999_999),
        ]
    )
    func reads(_ text: String, _ seconds: Double) throws {
        let date = try #require(InternetTimestamp.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001, "\(text) → \(date.timeIntervalSince1970)")
    }

    @Test(
        "anything out of range or out of form is refused",
        arguments: [
            "2024-01-01T12:99:00Z", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z",
            "2026-11-30T24:00:00Z", "2026-11-30T12:00:00", "2026-11-30 12:00:00Z", "2026-11-30T12:00:00+24:00",
            "2026-11-30T12:00:00.Z", "2026-11-30T12:00Z", "2026-11-30T12:00:00Zjunk", "2026-11-30T12:00:60Z",
            "", "26-11-30T12:00:00Z", "2026-11-30T12:00:00+0600",
        ]
    )
    func refuses(_ text: String) {
        #expect(InternetTimestamp.date(from: text) == nil, "\(text)")
    }
}
