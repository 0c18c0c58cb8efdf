import Foundation
import Logging
import Storage

/// The store a command works on: PostgreSQL when a database URL is set, else the SQLite file in the data directory.
struct StoreOpening: Sendable {
    let store: any SwitchboardStore
    /// The PostgreSQL store, which must run (as a service, or around the work) before it is queried.
    let postgres: PostgresStore?
    /// Where the data is, for banners and messages (never a password).
    let description: String

    init(settings: ServeSettings, logger: Logger) throws {
        if let url = settings.databaseURL {
            var postgresLogger = logger
            postgresLogger.logLevel = max(logger.logLevel, .warning)
            let postgres = try PostgresStore(url: url, logger: postgresLogger)
            store = postgres
            self.postgres = postgres
            description = url.description
        } else {
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
            let path = URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("switchboard.sqlite").path
            store = try SQLiteStore(path: path)
            postgres = nil
            description = path
        }
    }

    /// Runs `body` with the store ready: for PostgreSQL, its pool running and its schema up to date.
    func whileOpen<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let postgres else { return try await body() }
        return try await postgres.whileRunning(body)
    }

    /// Runs `body` holding the lock `name` of the PostgreSQL database, waiting for other instances that hold it;
    /// on SQLite (one process) it just runs `body`.
    func exclusivelyWaiting<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T? {
        if let postgres { return try await postgres.withLock(name, wait: true, body) }
        return try await body()
    }

    /// Runs `body` while no other process on the same data holds the lock `name`: the whole database for
    /// PostgreSQL, the data directory for SQLite. - Returns: `nil` when another holds it (PostgreSQL); on SQLite that
    /// throws, naming the lock file.
    func exclusively<T: Sendable>(
        _ name: String,
        dataDirectory: String,
        _ body: () async throws -> T
    ) async throws -> T? {
        if let postgres { return try await postgres.withLock(name, wait: false, body) }
        let lock = try RolloutLock(directory: dataDirectory)
        defer { lock.release() }
        return try await body()
    }
}
