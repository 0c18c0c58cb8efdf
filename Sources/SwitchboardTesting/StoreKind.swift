import Foundation
public import Storage

/// The stores a storage contract test runs against: SQLite always, PostgreSQL when
/// `SWITCHBOARD_TEST_POSTGRES_URL` names a database (`.ci/run` starts one; `swift test` alone skips it).
public enum StoreKind: String, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The stores available in this run.
    public static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// The PostgreSQL database for tests, if any.
    public static var postgresURL: PostgresURL? {
        guard let text = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"], !text.isEmpty else {
            return nil
        }
        // A malformed variable is a broken test setup, not a result.
        return try! PostgresURL(parsing: text)
    }

    public var description: String { rawValue }

    /// A PostgreSQL URL whose tables live in a new schema of their own, so tests never see each other's rows.
    public static func isolatedPostgresURL() -> PostgresURL? {
        guard var url = postgresURL else { return nil }
        url.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        return url
    }

    /// Runs `body` with an empty store of this kind (a private in-memory SQLite database, or a fresh schema in the
    /// test PostgreSQL database whose lease clock is the caller's, so that tests can move time).
    public func withStore<T: Sendable>(_ body: (any SwitchboardStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            return try await body(try SQLiteStore())
        case .postgres:
            guard let url = Self.isolatedPostgresURL() else { throw StoreError.unavailable("no test PostgreSQL") }
            // Tests queue hundreds of transactions on 8 connections at once: they wait their turn, however long a
            // loaded machine makes it.
            let store = try PostgresStore(
                url: url,
                maximumConnections: 8,
                connectionWait: .seconds(300),
                statementTimeout: .seconds(300),
                lockTimeout: .seconds(300),
                leaseClock: .caller
            )
            return try await store.whileRunning { try await body(store) }
        }
    }
}
