import Foundation
import LeadTracking
import Storage

/// `GET /v1/reports/funnel`: the funnel per location or source, and the franchise total. Each attempt counts
/// against its own location; cohorts are by delivery day (UTC); speed to lead is in each location's open hours and
/// the lead's wait wall-clock from its arrival, each reported as p50 and p90 with its n (never a mean).
struct FunnelResource: Encodable, Sendable {
    var groupBy: String
    @Nullable var since: Date?
    @Nullable var until: Date?
    /// How the window and the figures are taken, in words.
    var basis: String
    var rows: [Row]
    var total: Row

    struct Row: Encodable, Sendable {
        var key: String
        var delivered, attempted, contacted, booked, showed, won, lost, rerouted: Int
        var revenue: Double
        var speedToLead: Speed
        var leadWait: Speed
        var rates: Rates

        init(key: String, counts: FunnelCounts, speedBins: [Int: Int], waitBins: [Int: Int]) {
            self.key = key
            delivered = counts.delivered
            attempted = counts.attempted
            contacted = counts.contacted
            booked = counts.booked
            showed = counts.showed
            won = counts.won
            lost = counts.lost
            rerouted = counts.rerouted
            revenue = (counts.revenue * 100).rounded() / 100
            speedToLead = Speed(bins: speedBins)
            leadWait = Speed(bins: waitBins)
            rates = Rates(counts)
        }
    }

    /// Shares of delivered attempts (show: of booked); `nil` when the base is 0.
    struct Rates: Encodable, Sendable {
        @Nullable var attempt: Double?
        @Nullable var contact: Double?
        @Nullable var booking: Double?
        @Nullable var show: Double?
        @Nullable var win: Double?

        init(_ counts: FunnelCounts) {
            func share(_ count: Int, of base: Int) -> Double? {
                base > 0 ? (Double(count) / Double(base) * 1_000).rounded() / 1_000 : nil
            }
            attempt = share(counts.attempted, of: counts.delivered)
            contact = share(counts.contacted, of: counts.delivered)
            booking = share(counts.booked, of: counts.delivered)
            show = share(counts.showed, of: counts.booked)
            win = share(counts.won, of: counts.delivered)
        }
    }

    struct Speed: Encodable, Sendable {
        @Nullable var p50Seconds: Double?
        @Nullable var p90Seconds: Double?
        var n: Int

        init(bins: [Int: Int]) {
            n = bins.values.reduce(0, +)
            p50Seconds = SpeedBins.percentile(0.5, of: bins).map { $0.rounded() }
            p90Seconds = SpeedBins.percentile(0.9, of: bins).map { $0.rounded() }
        }
    }

    init(grouping: FunnelGrouping, since: Date?, until: Date?, rows funnel: [FunnelRow]) {
        groupBy = grouping.rawValue
        self.since = since
        self.until = until
        basis =
            "attempts delivered in whole UTC days of the window, each counted against its own location; "
            + "speed to lead in the location's open hours, the lead's wait wall-clock from its arrival "
            + "(p50/p90 within 5 %); rates of delivered, show rate of booked"
        rows = funnel.map { Row(key: $0.key, counts: $0.counts, speedBins: $0.speedBins, waitBins: $0.waitBins) }
        total = Row(
            key: "total",
            counts: funnel.reduce(FunnelCounts()) { $0 + $1.counts },
            speedBins: funnel.reduce(into: [:]) { bins, row in bins.merge(row.speedBins, uniquingKeysWith: +) },
            waitBins: funnel.reduce(into: [:]) { bins, row in bins.merge(row.waitBins, uniquingKeysWith: +) }
        )
    }

    /// The report as CSV: a header, one line per row, the total last.
    var csv: String {
        var lines = [
            "\(groupBy),delivered,attempted,contacted,booked,showed,won,lost,rerouted,revenue,"
                + "speed_to_lead_p50_seconds,speed_to_lead_p90_seconds,speed_to_lead_n,"
                + "lead_wait_p50_seconds,lead_wait_p90_seconds,lead_wait_n"
        ]
        for row in rows + [total] {
            let fields: [String] = [
                Self.csvField(row.key), "\(row.delivered)", "\(row.attempted)", "\(row.contacted)", "\(row.booked)",
                "\(row.showed)", "\(row.won)", "\(row.lost)", "\(row.rerouted)", "\(row.revenue)",
                row.speedToLead.p50Seconds.map { "\(Int($0))" } ?? "",
                row.speedToLead.p90Seconds.map { "\(Int($0))" } ?? "",
                "\(row.speedToLead.n)",
                row.leadWait.p50Seconds.map { "\(Int($0))" } ?? "",
                row.leadWait.p90Seconds.map { "\(Int($0))" } ?? "",
                "\(row.leadWait.n)",
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A field quoted when it must be (RFC 4180), and defused when a spreadsheet would run it as a formula.
    private static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
