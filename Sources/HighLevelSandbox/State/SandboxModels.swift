import Foundation

/// A snapshot the sandbox agency owns, and what loading it installs in a sub-account.
public struct SandboxSnapshot: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var workflows: [String]
    public var pipelines: [String]
    /// Custom fields installed: name and data type.
    public var customFields: [String: String]
    /// A broken snapshot: loading it never finishes (its push stays in progress), for rehearsing quarantine.
    public var neverLoads: Bool

    public init(
        id: String,
        name: String,
        workflows: [String],
        pipelines: [String],
        customFields: [String: String],
        neverLoads: Bool = false
    ) {
        self.id = id
        self.name = name
        self.workflows = workflows
        self.pipelines = pipelines
        self.customFields = customFields
        self.neverLoads = neverLoads
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        workflows = try container.decode([String].self, forKey: .workflows)
        pipelines = try container.decode([String].self, forKey: .pipelines)
        customFields = try container.decode([String: String].self, forKey: .customFields)
        neverLoads = try container.decodeIfPresent(Bool.self, forKey: .neverLoads) ?? false
    }

    /// The franchise's standard snapshot: lead-nurture workflows, a membership pipeline and the fields Switchboard
    /// writes.
    public static let franchiseStandard = SandboxSnapshot(
        id: "snap-franchise-standard",
        name: "Franchise standard",
        workflows: ["New lead nurture", "Hot lead call-back", "Trial pass follow-up"],
        pipelines: ["Memberships"],
        customFields: [
            "Routing distance": "NUMERICAL",
            "Routing reason": "TEXT",
            "Lead score": "NUMERICAL",
        ]
    )
}

/// A sub-account in the sandbox.
struct SandboxLocation: Sendable, Codable {
    struct Contact: Sendable, Codable {
        var id: String
        var firstName: String?
        var lastName: String?
        var email: String?
        var phone: String?
        var city: String?
        var postalCode: String?
        var source: String?
        var tags: [String]
        var customFields: [String: String]
        var dateAdded: Date
    }

    struct Named: Sendable, Codable {
        var id: String
        var name: String
        var value: String
    }

    struct SnapshotPush: Sendable, Codable {
        var snapshotID: String
        var requestedAt: Date
        var completesAt: Date?
        var installed: Bool
    }

    var id: String
    var name: String
    var address: String?
    var city: String?
    var state: String?
    var country: String?
    var postalCode: String?
    var phone: String?
    var email: String?
    var website: String?
    var timezone: String?
    /// GHL's "Allow Duplicate Contact": when false, email/phone identify a contact.
    var allowDuplicateContact = false
    var snapshotPush: SnapshotPush?
    var customValues: [Named] = []
    /// Custom fields: `value` holds the data type.
    var customFields: [Named] = []
    var contacts: [Contact] = []
    var pipelines: [Named] = []
    var workflows: [Named] = []
    var enrolments: [String] = []
    var opportunities: [String] = []
    /// The opportunities with what search filters on (optional: state saved before it was kept has none).
    var opportunityDetails: [Opportunity]?
    /// Messages and calls, by contact (optional: state saved before it was kept has none).
    var messages: [String: [SandboxMessage]]?
    /// Appointments (optional, as above).
    var appointments: [SandboxAppointment]?

    struct Opportunity: Sendable, Codable {
        var id: String
        var name: String
        var contactID: String
        var pipelineID: String
        var stageID: String?
        var status: String
        var monetaryValue: Double?
        var assignedTo: String?
        /// When it was created (optional: state saved before it was kept has none).
        var dateAdded: Date?
    }

    /// The stages of a pipeline (the sandbox gives every pipeline the same ones, ids derived from the pipeline's).
    static func stages(of pipeline: Named) -> [Named] {
        ["New lead", "Contacted", "Trial booked", "Joined"].enumerated().map { index, name in
            Named(id: "\(pipeline.id)-stage-\(index + 1)", name: name, value: "\(index)")
        }
    }
}
