public import Foundation
import Synchronization

/// A time zone's offsets from UTC as a table of transitions, so that routing never calls into the time zone
/// database on its hot path.
///
/// The table covers 2000–2100; outside it the zone itself is asked.
public struct UTCOffsets: Sendable, Hashable {
    /// The IANA identifier, e.g. `America/Chicago`.
    public let identifier: String
    /// UTC seconds at which each offset starts, ascending; the first entry starts at the table's beginning.
    private let starts: [Int64]
    private let offsets: [Int32]
    private let timeZone: TimeZone

    private static let tableStart: Int64 = 946_684_800  // 2000-01-01T00:00:00Z
    private static let tableEnd: Int64 = 4_102_444_800  // 2100-01-01T00:00:00Z

    /// Coordinated Universal Time: no offset, ever.
    public static let utc = UTCOffsets(timeZone: TimeZone(secondsFromGMT: 0)!)

    /// The offsets of an IANA time zone, or `nil` when the identifier is unknown. Each zone's table is built
    /// once per process (walking a century of transitions costs milliseconds) and shared.
    public init?(identifier: String) {
        if let known = Self.known.withLock({ $0[identifier] }) {
            self = known
            return
        }
        guard let timeZone = TimeZone(identifier: identifier) else { return nil }
        self.init(timeZone: timeZone)
        let built = self
        Self.known.withLock { $0[identifier] = built }
    }

    private static let known = Mutex<[String: UTCOffsets]>([:])

    /// The offsets of a time zone.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        self.identifier = timeZone.identifier
        var starts = [Self.tableStart]
        var offsets = [Int32(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.tableStart))))]
        var cursor = Date(timeIntervalSince1970: Double(Self.tableStart))
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor),
            next.timeIntervalSince1970 < Double(Self.tableEnd), next > cursor
        {
            let offset = Int32(timeZone.secondsFromGMT(for: next))
            if offset != offsets.last {
                starts.append(Int64(next.timeIntervalSince1970.rounded()))
                offsets.append(offset)
            }
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    /// The zone's offset from UTC, in seconds, at a moment.
    public func secondsFromUTC(at seconds: Int64) -> Int {
        guard seconds >= Self.tableStart && seconds < Self.tableEnd else {
            return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        }
        // The last transition at or before `seconds`.
        var low = 0
        var high = starts.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if starts[middle] <= seconds { low = middle } else { high = middle }
        }
        return Int(offsets[low])
    }

    /// The UTC moment of local midnight starting a local day (days since 1970-01-01 in local time).
    public func utcSeconds(forLocalMidnightOfDay day: Int64) -> Int64 {
        let localMidnight = day * 86_400
        let guess = localMidnight - Int64(secondsFromUTC(at: localMidnight))
        return localMidnight - Int64(secondsFromUTC(at: guess))
    }

    public static func == (lhs: UTCOffsets, rhs: UTCOffsets) -> Bool { lhs.identifier == rhs.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }
}
