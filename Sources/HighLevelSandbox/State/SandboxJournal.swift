public import Foundation

/// Every call the sandbox answered, in order: what tests and rehearsals assert on ("exactly one contact", "no
/// duplicate sub-account", "calls per second stayed within the limit").
public actor SandboxJournal {
    /// One recorded call.
    public struct Entry: Sendable, Hashable, Codable {
        public var at: Date
        /// GHL's operation id, e.g. `upsert-contact`.
        public var operation: String
        public var method: String
        public var path: String
        public var status: Int
        /// The rate-limit budget the call drew on (`company` or `location:ID`), when authenticated.
        public var resource: String?
        public var requestBody: Data?
        public var responseBody: Data?
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    func record(_ entry: Entry) {
        entries.append(entry)
    }

    /// The entries of one operation (all, when `nil`), optionally only those answered with a status.
    public func entries(operation: String? = nil, status: Int? = nil) -> [Entry] {
        entries.filter { (operation == nil || $0.operation == operation) && (status == nil || $0.status == status) }
    }

    /// The most calls of one resource within any window of the given length (counting every answered call).
    public func peakCalls(resource: String, within window: TimeInterval) -> Int {
        let times = entries.filter { $0.resource == resource }.map(\.at)
        var peak = 0
        var start = 0
        for end in times.indices {
            while times[end].timeIntervalSince(times[start]) >= window { start += 1 }
            peak = max(peak, end - start + 1)
        }
        return peak
    }

    /// Forgets everything recorded so far.
    public func clear() {
        entries = []
    }
}
