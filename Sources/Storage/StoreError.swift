/// Why the store refused or failed an operation.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database cannot take the write now (busy, locked too long, overloaded); try again shortly.
    case unavailable(String)
    /// The record already exists (e.g. a location id in use).
    case conflict(String)
    /// No such record.
    case notFound(String)
    /// A stored value cannot be read back (the database was changed by hand, or by a newer version).
    case corrupt(String)

    public var description: String {
        switch self {
        case .unavailable(let message): "storage unavailable: \(message)"
        case .conflict(let message): message
        case .notFound(let message): message
        case .corrupt(let message): "storage corrupt: \(message)"
        }
    }
}
