public import LeadRouting

/// One unit of a location's capacity: the local day and week a lead counts against.
public struct CapacitySlot: Sendable, Hashable, Codable {
    public var locationID: String
    /// Local days since 1970-01-01 in the location's time zone.
    public var day: Int
    /// Local Monday-based weeks since 1970.
    public var week: Int

    public init(locationID: String, day: Int, week: Int) {
        self.locationID = locationID
        self.day = day
        self.week = week
    }

    public init(locationID: String, windows: CapacityWindows) {
        self.init(locationID: locationID, day: windows.day, week: windows.week)
    }
}

/// The most a slot may fill its windows to: taking it fails when either count is already at its limit.
public struct SlotLimits: Sendable, Hashable {
    /// The daily limit for this lead (less the hot reserve for a lead that is not hot); `nil` is unlimited.
    public var day: Int?
    public var week: Int?

    public init(day: Int?, week: Int?) {
        self.day = day
        self.week = week
    }

    /// The limits a lead fills a location up to.
    public init(_ limits: CapacityLimits, hotLead: Bool) {
        self.init(day: limits.dailyLimit(forHotLead: hotLead), week: limits.weekly)
    }

    /// No limit at all (a manual override).
    public static let unlimited = SlotLimits(day: nil, week: nil)
}
