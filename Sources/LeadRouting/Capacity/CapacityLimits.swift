/// How many leads a location takes per window, and how many of its daily slots are kept for hot leads.
public struct CapacityLimits: Sendable, Hashable, Codable {
    /// Leads per local day; `nil` is unlimited.
    public var daily: Int?
    /// Leads per local week (Monday to Sunday); `nil` is unlimited.
    public var weekly: Int?
    /// Daily slots only hot leads (score at or above the policy's threshold) may take.
    public var reservedForHot: Int

    public init(daily: Int? = nil, weekly: Int? = nil, reservedForHot: Int = 0) {
        self.daily = daily
        self.weekly = weekly
        self.reservedForHot = reservedForHot
    }

    /// The daily limit a lead may fill up to: the full limit for a hot lead, less the reserved slots otherwise.
    public func dailyLimit(forHotLead isHot: Bool) -> Int? {
        guard let daily else { return nil }
        return isHot ? daily : max(0, daily - reservedForHot)
    }

    /// Which window, if any, stops one more lead being taken with the given usage.
    public func blockingWindow(for usage: CapacityUsage, hotLead isHot: Bool) -> CapacityBlock? {
        if let weekly, usage.thisWeek >= weekly { return .weekFull }
        if let daily, usage.today >= daily { return .dayFull }
        if let limit = dailyLimit(forHotLead: isHot), usage.today >= limit { return .reservedForHot }
        return nil
    }

    /// How full the location is, 0 (empty or unlimited) to 1 (full), taking the fuller of its windows.
    public func utilisation(of usage: CapacityUsage) -> Double {
        let day = daily.map { $0 == 0 ? 1 : Double(usage.today) / Double($0) } ?? 0
        let week = weekly.map { $0 == 0 ? 1 : Double(usage.thisWeek) / Double($0) } ?? 0
        return max(day, week)
    }
}

/// Leads already assigned to a location in its current windows.
public struct CapacityUsage: Sendable, Hashable, Codable {
    public var today: Int
    public var thisWeek: Int

    public init(today: Int = 0, thisWeek: Int = 0) {
        self.today = today
        self.thisWeek = thisWeek
    }
}

/// Why a location cannot take one more lead.
public enum CapacityBlock: String, Sendable, Hashable, Codable {
    /// The daily limit is reached.
    case dayFull
    /// The weekly limit is reached.
    case weekFull
    /// Only the slots kept for hot leads are left, and the lead is not hot.
    case reservedForHot
}
