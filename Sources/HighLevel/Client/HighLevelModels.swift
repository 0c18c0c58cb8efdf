// The values the client speaks in: Switchboard's words for GHL's objects, with only the fields Switchboard uses.

/// A GHL sub-account (one franchise location).
public struct SubAccount: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var timezone: String?
    public var postalCode: String?
    public var email: String?
    public var phone: String?

    public init(
        id: String,
        name: String,
        timezone: String? = nil,
        postalCode: String? = nil,
        email: String? = nil,
        phone: String? = nil
    ) {
        self.id = id
        self.name = name
        self.timezone = timezone
        self.postalCode = postalCode
        self.email = email
        self.phone = phone
    }
}

/// What a new sub-account is created with.
public struct NewSubAccount: Sendable, Hashable, Codable {
    public var name: String
    public var address: String?
    public var city: String?
    public var state: String?
    public var country: String?
    public var postalCode: String?
    public var phone: String?
    public var email: String?
    public var website: String?
    public var timezone: String?
    /// The snapshot to load into the new sub-account.
    public var snapshotID: String?

    public init(
        name: String,
        address: String? = nil,
        city: String? = nil,
        state: String? = nil,
        country: String? = nil,
        postalCode: String? = nil,
        phone: String? = nil,
        email: String? = nil,
        website: String? = nil,
        timezone: String? = nil,
        snapshotID: String? = nil
    ) {
        self.name = name
        self.address = address
        self.city = city
        self.state = state
        self.country = country
        self.postalCode = postalCode
        self.phone = phone
        self.email = email
        self.website = website
        self.timezone = timezone
        self.snapshotID = snapshotID
    }
}

/// A custom value of a sub-account (GHL's key/value settings, e.g. business hours).
public struct CustomValue: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var value: String
    public init(id: String, name: String, value: String) {
        self.id = id
        self.name = name
        self.value = value
    }
}

/// A custom field definition of a sub-account.
public struct CustomField: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var dataType: String
    public var fieldKey: String?
    public init(id: String, name: String, dataType: String, fieldKey: String? = nil) {
        self.id = id
        self.name = name
        self.dataType = dataType
        self.fieldKey = fieldKey
    }
}

/// An agency snapshot (a template of workflows, pipelines and fields).
public struct Snapshot: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// Where loading a snapshot into a sub-account has got to.
public struct SnapshotPushStatus: Sendable, Hashable, Codable {
    /// GHL's status text, e.g. `pending`, `processing`, `completed`, `failed`.
    public var status: String
    public var isCompleted: Bool { status.lowercased() == "completed" }
    public var isFailed: Bool { status.lowercased() == "failed" }
    public init(status: String) { self.status = status }
}

/// A contact to create or upsert.
public struct ContactDraft: Sendable, Hashable, Codable {
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phone: String?
    public var postalCode: String?
    public var source: String?
    public var tags: [String]
    /// Custom field values by field id.
    public var customFields: [String: String]

    public init(
        firstName: String? = nil,
        lastName: String? = nil,
        email: String? = nil,
        phone: String? = nil,
        postalCode: String? = nil,
        source: String? = nil,
        tags: [String] = [],
        customFields: [String: String] = [:]
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.postalCode = postalCode
        self.source = source
        self.tags = tags
        self.customFields = customFields
    }
}

/// A contact as GHL holds it.
public struct Contact: Sendable, Hashable, Codable {
    public var id: String
    public var locationID: String?
    public var email: String?
    public var phone: String?
    public var tags: [String]
    public init(id: String, locationID: String? = nil, email: String? = nil, phone: String? = nil, tags: [String] = [])
    {
        self.id = id
        self.locationID = locationID
        self.email = email
        self.phone = phone
        self.tags = tags
    }
}

/// A pipeline and its stages.
public struct Pipeline: Sendable, Hashable, Codable {
    /// A stage of a pipeline.
    public struct Stage: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public var id: String
    public var name: String
    /// In pipeline order (GHL's `position`).
    public var stages: [Stage]
    public init(id: String, name: String, stages: [Stage] = []) {
        self.id = id
        self.name = name
        self.stages = stages
    }
}

/// A workflow of a sub-account.
public struct Workflow: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var status: String?
    public init(id: String, name: String, status: String? = nil) {
        self.id = id
        self.name = name
        self.status = status
    }
}
