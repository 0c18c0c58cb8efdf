import Foundation
import LeadRouting
import ReferenceGeodata
import RoutingFiles

/// One `switchboard route` run: load the locations, route the lead(s), write the results.
struct RouteRun {
    enum Input {
        case single(Lead)
        case file(String)
    }

    enum Format {
        case table
        case json
    }

    var locationsPath: String
    var input: Input
    var policy: RoutingPolicy
    /// The run's time: usage from the locations file counts in the windows of this moment, and leads without a
    /// time of their own arrive at it.
    var at: Date
    var format: Format

    /// Routes and writes each output line through `write`.
    /// - Throws: ``FileError`` (or a reference-data error) for bad input; nothing is routed then.
    func execute(write: (String) -> Void) throws {
        let directory = try PostalDirectory.reference()
        let locationsFile = try LocationsFile(contentsOf: locationsPath, directory: directory)
        var session = try locationsFile.makeSession(directory: directory, policy: policy, at: at)
        let names = Dictionary(uniqueKeysWithValues: locationsFile.locations.map { ($0.id, $0.name) })

        switch input {
        case .single(let lead):
            let decision = session.route(lead)
            switch format {
            case .json: write(DecisionJSON.line(for: decision, names: names, line: nil))
            case .table: write(DecisionText.detail(decision, names: names))
            }
        case .file(let path):
            let leadsFile = try LeadsFile(contentsOf: path, defaultArrival: at)
            var summary = RouteSummary()
            if format == .table { write(DecisionText.tableHeader) }
            for entry in leadsFile.entries {
                let decision = session.route(entry.lead)
                summary.add(decision)
                switch format {
                case .json: write(DecisionJSON.line(for: decision, names: names, line: entry.line))
                case .table: write(DecisionText.tableRow(decision, lead: entry.lead))
                }
            }
            switch format {
            case .json: write(DecisionJSON.line(for: summary))
            case .table: write(DecisionText.summary(summary, names: names))
            }
        }
    }
}

/// Counts per outcome and per location over a run.
struct RouteSummary: Codable {
    var leads = 0
    var outcomes: [String: Int] = Dictionary(uniqueKeysWithValues: RoutingOutcome.allCases.map { ($0.rawValue, 0) })
    var locations: [String: Int] = [:]

    mutating func add(_ decision: RoutingDecision) {
        leads += 1
        outcomes[decision.outcome.rawValue, default: 0] += 1
        if let locationID = decision.locationID { locations[locationID, default: 0] += 1 }
    }
}
