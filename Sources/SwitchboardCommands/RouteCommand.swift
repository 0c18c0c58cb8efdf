public import ArgumentParser
import Foundation
import LeadRouting
import ReferenceGeodata
import RoutingFiles

/// `switchboard route`: route one lead, or a file of leads, against a locations file.
public struct RouteCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Decide which location gets a lead, and explain why.",
        discussion: """
            Routes one lead (--zip and/or --lat/--lon) or every lead of a CSV file (--leads, in file order; each \
            assignment uses up capacity like production) against the locations in --locations.

            Locations CSV columns (header line, any order, case-insensitive): id, name, postal_code (or latitude \
            and longitude); optional status (active|paused|onboarding|quarantined), daily_capacity, \
            weekly_capacity (empty = unlimited), leads_today, leads_this_week, radius_miles, priority, \
            reserved_for_hot, timezone (IANA, default UTC), territory (codes separated by spaces or ';'), \
            hours (e.g. "mon-fri 05:00-22:00; sat-sun 07:00-19:00").

            Leads CSV columns: postal_code; optional latitude, longitude, score, email, phone, source, at \
            (ISO 8601), id.

            Outcomes: assigned, noCapacity, outOfRange, invalidPostalCode, unknownPostalCode, noLocations. \
            The exit code is 0 whenever routing ran, whatever the outcomes, and non-zero on bad input.

            Examples:
              switchboard route --locations examples/franchise-25.csv --zip 78701
              switchboard route --locations examples/franchise-25.csv --leads examples/leads-sample.csv --json
            """
    )

    @Option(name: .long, help: ArgumentHelp("The locations CSV file.", valueName: "file"))
    var locations: String

    @Option(
        name: [.customLong("zip"), .customLong("postal-code")],
        help: ArgumentHelp("The lead's ZIP or Canadian postal code.", valueName: "code")
    )
    var postalCode: String?

    // `.unconditional`, so that negative values (`--lon -97.74`) are read as values, not as flags.
    @Option(
        name: [.customLong("lat")],
        parsing: .unconditional,
        help: "The lead's latitude (with --lon); valid coordinates win over --zip."
    )
    var latitude: Double?

    @Option(name: [.customLong("lon")], parsing: .unconditional, help: "The lead's longitude (with --lat).")
    var longitude: Double?

    @Option(help: "The lead's score, 0–100.")
    var score: Int?

    @Option(help: "The lead's email, to recognise a repeat lead.")
    var email: String?

    @Option(help: "The lead's phone, to recognise a repeat lead.")
    var phone: String?

    @Option(
        name: .customLong("at"),
        help: ArgumentHelp(
            "The lead's arrival, and the moment the file's leads_today/leads_this_week refer to (ISO 8601; default: now).",
            valueName: "time"
        )
    )
    var arrival: String?

    @Option(
        name: .customLong("radius"),
        help: ArgumentHelp("Service radius in miles for locations that set none.", valueName: "miles")
    )
    var radiusMiles: Double = RoutingPolicy().defaultRadiusMiles

    @Option(help: ArgumentHelp("A CSV file of leads to route in order.", valueName: "file"))
    var leads: String?

    @Flag(help: "Print one JSON object per lead (and a final summary object with --leads).")
    var json = false

    @Option(help: ArgumentHelp("A lead scoring at least this is hot and may use reserved slots.", valueName: "score"))
    var hotThreshold: Int = RoutingPolicy().hotScoreThreshold

    @Option(
        help: ArgumentHelp(
            "A repeat lead within this many days goes back to its previous location (0 turns it off).",
            valueName: "days"
        )
    )
    var stickyDays: Int = RoutingPolicy().stickyDays

    @Option(
        help: ArgumentHelp(
            "What business hours do: ignore them, prefer open locations among near ties, or require open ones.",
            valueName: "rule"
        )
    )
    var businessHours: BusinessHoursRule = .ignore

    @Flag(help: "Place an unknown US ZIP at the mean of its 3-digit area instead of reporting it unknown.")
    var approximateUnknownZip = false

    public init() {}

    public func validate() throws {
        if leads != nil && (postalCode != nil || latitude != nil || longitude != nil) {
            throw ValidationError("Give either --leads FILE or one lead (--zip, --lat/--lon), not both.")
        }
        if leads == nil && postalCode == nil && latitude == nil && longitude == nil {
            throw ValidationError("Give a lead with --zip CODE (or --lat and --lon), or a file with --leads FILE.")
        }
        if (latitude == nil) != (longitude == nil) { throw ValidationError("--lat and --lon go together.") }
        if let score, !(0...100).contains(score) { throw ValidationError("--score must be between 0 and 100.") }
        if !(radiusMiles > 0 && radiusMiles.isFinite) { throw ValidationError("--radius must be more than 0 miles.") }
        if let arrival, InternetTimestamp.date(from: arrival) == nil {
            throw ValidationError("--at '\(arrival)' is not an ISO 8601 time like 2026-11-29T09:30:00-06:00.")
        }
        if stickyDays < 0 { throw ValidationError("--sticky-days cannot be negative.") }
    }

    public func run() async throws {
        try makeRun().execute { print($0) }
    }

    /// The routing run these arguments describe.
    func makeRun(now: Date = Date()) throws -> RouteRun {
        let policy = RoutingPolicy(
            defaultRadiusMiles: radiusMiles,
            hotScoreThreshold: hotThreshold,
            stickyDays: stickyDays,
            businessHours: businessHours,
            approximateUnknownZIPs: approximateUnknownZip
        )
        let at = arrival.flatMap { InternetTimestamp.date(from: $0) } ?? now
        let input: RouteRun.Input
        if let leads {
            input = .file(leads)
        } else {
            input = .single(
                Lead(
                    id: nil,
                    postalCode: postalCode,
                    coordinate: latitude.flatMap { latitude in
                        longitude.map { Coordinate(latitude: latitude, longitude: $0) }
                    },
                    email: email,
                    phone: phone,
                    score: score,
                    source: "cli",
                    arrivedAt: at
                )
            )
        }
        return RouteRun(locationsPath: locations, input: input, policy: policy, at: at, format: json ? .json : .table)
    }
}

extension BusinessHoursRule: ExpressibleByArgument {}
