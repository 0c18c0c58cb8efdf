public import Foundation

/// A value with the time it was set. Merging keeps the later one (ties: the one whose text sorts last), so that
/// events applied in any order, or twice, give the same state.
public struct Stamped<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    public var value: Value
    public var at: Date

    public init(_ value: Value, at: Date) {
        self.value = value
        self.at = at
    }

    /// The later of two stamped values (either may be missing).
    static func latest(_ current: Stamped?, _ new: Stamped) -> Stamped {
        guard let current else { return new }
        if new.at != current.at { return new.at > current.at ? new : current }
        return "\(new.value)" > "\(current.value)" ? new : current
    }
}

extension Optional where Wrapped == Date {
    /// Keeps the earlier of two times.
    mutating func keepEarliest(_ date: Date) {
        if let current = self, current <= date { return }
        self = date
    }
}
