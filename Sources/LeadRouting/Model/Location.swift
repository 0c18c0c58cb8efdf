/// A franchise location (a gym; in GHL, a sub-account) as routing sees it.
public struct Location: Sendable, Hashable, Codable, Identifiable {
    /// Switchboard's stable id for the location, e.g. `atx-downtown`.
    public var id: String
    /// A human name, e.g. `Iron Works Austin Downtown`.
    public var name: String
    /// The location's postal code; its centroid is used when no coordinates are given.
    public var postalCode: PostalCode?
    /// Exact coordinates; preferred over the postal code's centroid.
    public var coordinate: Coordinate?
    public var status: LocationStatus
    /// The capacity limits and current usage of the location.
    public var capacity: CapacityLimits
    /// How far leads may be from the location, in miles; `nil` uses the policy's default radius.
    public var radiusMiles: Double?
    /// Higher wins ties between equally near, equally busy locations.
    public var priority: Int
    /// Postal codes the location owns: leads from them go to it first.
    public var territory: Set<PostalCode>
    /// When the location is open; `nil` means always.
    public var businessHours: WeeklyHours?
    /// The IANA time zone of the location; capacity windows and business hours follow it.
    public var timeZoneIdentifier: String

    public init(
        id: String,
        name: String,
        postalCode: PostalCode? = nil,
        coordinate: Coordinate? = nil,
        status: LocationStatus = .active,
        capacity: CapacityLimits = CapacityLimits(),
        radiusMiles: Double? = nil,
        priority: Int = 0,
        territory: Set<PostalCode> = [],
        businessHours: WeeklyHours? = nil,
        timeZoneIdentifier: String = "UTC"
    ) {
        self.id = id
        self.name = name
        self.postalCode = postalCode
        self.coordinate = coordinate
        self.status = status
        self.capacity = capacity
        self.radiusMiles = radiusMiles
        self.priority = priority
        self.territory = territory
        self.businessHours = businessHours
        self.timeZoneIdentifier = timeZoneIdentifier
    }
}

extension Location {
    /// The longest location id, in bytes.
    public static let maximumIDLength = 64

    /// What is wrong with a location id, or `nil` when it is fine: 1 to 64 ASCII letters, digits, `-`, `_` and
    /// `.`, starting with a letter or digit (ids end up in URLs, file names and GHL tags, so `.` and `..` are out).
    public static func idProblem(_ id: String) -> String? {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty else { return "is empty" }
        guard bytes.count <= maximumIDLength else { return "is longer than \(maximumIDLength) characters" }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isAlphanumeric(bytes[0]) else { return "'\(id)' must start with a letter or digit" }
        guard
            bytes.allSatisfy({
                isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            })
        else {
            return "'\(id)' may contain only ASCII letters, digits, '-', '_' and '.'"
        }
        return nil
    }
}
