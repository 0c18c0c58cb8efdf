/// Leads assigned per location in its current day and week windows: the pure arithmetic of the capacity ledger.
///
/// Counts are kept with the window they belong to, so a count from yesterday reads as zero today without any
/// reset job. Persistence (an atomic, conditional update in the database) is the storage layer's job; it follows
/// the same rules.
public struct CapacityLedger: Sendable, Hashable, Codable {
    private struct Entry: Sendable, Hashable, Codable {
        var day: Int
        var today: Int
        var week: Int
        var thisWeek: Int
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    /// The usage of a location in the given windows.
    public func usage(of locationID: String, in windows: CapacityWindows) -> CapacityUsage {
        guard let entry = entries[locationID] else { return CapacityUsage() }
        return CapacityUsage(
            today: entry.day == windows.day ? entry.today : 0,
            thisWeek: entry.week == windows.week ? entry.thisWeek : 0
        )
    }

    /// Sets a location's usage in the given windows, e.g. from a file that says how many leads it already has.
    public mutating func setUsage(_ usage: CapacityUsage, of locationID: String, in windows: CapacityWindows) {
        entries[locationID] = Entry(
            day: windows.day,
            today: usage.today,
            week: windows.week,
            thisWeek: max(usage.thisWeek, usage.today)
        )
    }

    /// Takes one slot in each window, unless the limits forbid it.
    /// - Returns: `nil` when the slot was taken, or the window that blocked it (nothing changes then).
    @discardableResult
    public mutating func take(
        _ locationID: String,
        limits: CapacityLimits,
        hotLead: Bool,
        in windows: CapacityWindows
    ) -> CapacityBlock? {
        let current = usage(of: locationID, in: windows)
        if let block = limits.blockingWindow(for: current, hotLead: hotLead) { return block }
        entries[locationID] = Entry(
            day: windows.day,
            today: current.today + 1,
            week: windows.week,
            thisWeek: current.thisWeek + 1
        )
        return nil
    }

    /// Gives back one slot taken in the given windows (a lead reassigned or rejected); a window that has since
    /// rolled over is left alone, and counts never go below zero.
    public mutating func release(_ locationID: String, takenIn windows: CapacityWindows) {
        guard var entry = entries[locationID] else { return }
        if entry.day == windows.day { entry.today = max(0, entry.today - 1) }
        if entry.week == windows.week { entry.thisWeek = max(0, entry.thisWeek - 1) }
        entries[locationID] = entry
    }
}
