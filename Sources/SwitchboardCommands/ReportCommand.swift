public import ArgumentParser
import Foundation
import LeadRouting
import NIOHTTP1

/// `switchboard report`: what became of the leads, from a running service.
public struct ReportCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports on what became of the leads: the funnel by location or by source.",
        subcommands: [Funnel.self]
    )

    public init() {}

    /// `switchboard report funnel`
    public struct Funnel: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "The funnel by location or source: delivered → attempted → contacted → booked → showed → won.",
            discussion: """
                Each delivery counts against its own location (a lead re-routed by the SLA counts at both). \
                "attempted" is a person's first touch (a call, SMS or email sent by a user — automation never \
                counts), "contacted" a two-way exchange. Rates are of delivered leads, except show rate (of \
                booked). Speed to lead is from delivery to first touch in the location's open hours, as p50 and \
                p90 with the number of leads it is taken over; "—" where there is no data. Attempts are taken by \
                their delivery day (whole UTC days).
                """
        )

        @OptionGroup var connection: ServiceConnection

        @Option(name: .customLong("by"), help: "Group by location or source.")
        var grouping: Grouping = .location

        @Option(
            help: ArgumentHelp(
                "Attempts delivered since: a duration back from now (7d, 24h, 90m) or an ISO 8601 time.",
                valueName: "when"
            )
        )
        var since: String = "7d"

        @Option(help: ArgumentHelp("… and before (same forms); default now.", valueName: "when"))
        var until: String?

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Flag(help: "Print the report as CSV.")
        var csv = false

        public init() {}

        enum Grouping: String, ExpressibleByArgument, CaseIterable {
            case location
            case source
        }

        public func validate() throws {
            if json && csv { throw ValidationError("give --json or --csv, not both.") }
            guard Self.time(since, now: Date()) != nil else {
                throw ValidationError("--since '\(since)' is not a duration like 7d, 24h or 90m, or an ISO 8601 time.")
            }
            if let until, Self.time(until, now: Date()) == nil {
                throw ValidationError("--until '\(until)' is not a duration like 7d, 24h or 90m, or an ISO 8601 time.")
            }
        }

        /// A time given as a duration back from `now` (`7d`, `24h`, `90m`, `30s`) or as ISO 8601.
        static func time(_ text: String, now: Date) -> Date? {
            if let date = InternetTimestamp.date(from: text) { return date }
            let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
            guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0
            else { return nil }
            return now.addingTimeInterval(-amount * unit)
        }

        public func run() async throws {
            let now = Date()
            var path = "/v1/reports/funnel?groupBy=\(grouping.rawValue)"
            if let start = Self.time(since, now: now) { path += "&since=\(start.formatted(.iso8601))" }
            if let until, let end = Self.time(until, now: now) { path += "&until=\(end.formatted(.iso8601))" }
            let api = try connection.api()
            if csv {
                Console.write(try await api.text(path, accept: "text/csv"))
                return
            }
            let report = try await api.send(.GET, path)
            if json {
                let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted])
                Console.line(String(decoding: data, as: UTF8.self))
                return
            }
            Console.line(FunnelTable(report: report).text)
        }
    }
}

/// The funnel report as a readable table: counts with their rates, speed to lead p50/p90 with n, the lead's wait.
struct FunnelTable {
    let report: [String: Any]

    var text: String {
        let rows = (report["rows"] as? [[String: Any]] ?? []) + [report["total"] as? [String: Any] ?? [:]]
        let groupBy = report["groupBy"] as? String ?? "location"
        var lines: [String] = []
        let since = (report["since"] as? String).map { "since \($0)" } ?? "all time"
        let until = (report["until"] as? String).map { " until \($0)" } ?? ""
        lines.append("Funnel by \(groupBy), attempts delivered \(since)\(until) (whole UTC days)")
        let header = [
            groupBy, "delivered", "attempted", "contacted", "booked", "showed", "won", "lost", "rerouted",
            "revenue", "speed p50", "p90", "n", "wait p50", "p90",
        ]
        var table = [header]
        for row in rows {
            let delivered = row["delivered"] as? Int ?? 0
            func rate(_ key: String, of base: Int? = nil) -> String {
                let count = row[key] as? Int ?? 0
                let denominator = base ?? delivered
                guard denominator > 0 else { return "\(count)" }
                return "\(count) (\(Int((Double(count) * 100 / Double(denominator)).rounded()))%)"
            }
            let speed = row["speedToLead"] as? [String: Any] ?? [:]
            let wait = row["leadWait"] as? [String: Any] ?? [:]
            let key = row["key"] as? String ?? ""
            table.append([
                key.isEmpty ? "(none)" : key, "\(delivered)", rate("attempted"), rate("contacted"), rate("booked"),
                rate("showed", of: row["booked"] as? Int ?? 0), rate("won"), rate("lost"), rate("rerouted"),
                String(format: "%.2f", row["revenue"] as? Double ?? 0), Self.duration(speed["p50Seconds"]),
                Self.duration(speed["p90Seconds"]), "\(speed["n"] as? Int ?? 0)", Self.duration(wait["p50Seconds"]),
                Self.duration(wait["p90Seconds"]),
            ])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for (index, row) in table.enumerated() {
            if index == table.count - 1 {
                lines.append(String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
            }
            lines.append(
                row.enumerated().map { column, cell in
                    column == 0
                        ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[column] - cell.count) + cell
                }
                .joined(separator: "  ")
            )
        }
        lines.append(
            "Show rate is of booked; the other rates of delivered. Speed to lead: open hours of the location; "
                + "wait: the lead's, wall-clock from its arrival."
        )
        return lines.joined(separator: "\n")
    }

    /// Seconds as people read them (45s, 12m, 3.5h), or "—" for none.
    static func duration(_ value: Any?) -> String {
        guard let seconds = value as? Double else { return "—" }
        if seconds < 90 { return "\(Int(seconds))s" }
        if seconds < 5_400 { return "\(Int((seconds / 60).rounded()))m" }
        return String(format: "%.1fh", seconds / 3_600)
    }
}
