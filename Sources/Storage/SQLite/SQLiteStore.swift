public import Foundation
import GRDB
import LeadRouting

/// The embedded store: SQLite through GRDB. A file in the data directory (a WAL-mode `DatabasePool`) in
/// production, an in-memory database in tests.
public final class SQLiteStore: Sendable {
    let writer: any DatabaseWriter
    /// Intake's transactions: concurrent leads are committed together (see ``GroupCommit``).
    let intakeCommits: GroupCommit<Intake, IntakeResult>
    /// GHL events' transactions, committed together the same way.
    let trackCommits: GroupCommit<TrackedEvent, TrackResult>

    /// Opens (creating if needed) the database file and brings its schema up to date.
    ///
    /// Commits are flushed to disk before they return (`synchronous = FULL`): a lead acknowledged to its sender
    /// survives a power cut, not only a crash. Intake commits in groups, so this costs one flush per batch.
    /// - Parameter busyTimeout: How long a write waits for a lock held by another connection or process.
    public init(path: String, busyTimeout: TimeInterval = 5) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets NORMAL with WAL; only the (single) writer connection commits, so setting it there suffices.
        try pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        self.writer = pool
        self.intakeCommits = Self.intakeCommits(on: pool)
        self.trackCommits = Self.trackCommits(on: pool)
        try Self.migrator.migrate(writer)
    }

    /// The writer connection's `synchronous` setting (2 = FULL), for tests.
    public func synchronousSetting() async throws -> Int {
        try await writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// A private in-memory database (for tests).
    public init() throws {
        let queue = try DatabaseQueue()
        self.writer = queue
        self.intakeCommits = Self.intakeCommits(on: queue)
        self.trackCommits = Self.trackCommits(on: queue)
        try Self.migrator.migrate(writer)
    }

    /// Runs a write transaction, turning "the database is busy" into ``StoreError/unavailable(_:)``.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// "The database is busy" (locked by another process too long, disk full or failing) as
    /// ``StoreError/unavailable(_:)``, which callers answer with "try again later"; other errors as they are.
    static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError, isTransient(error) else { return error }
        return StoreError.unavailable(error.message ?? "the database is busy")
    }

    private static func isTransient(_ error: DatabaseError) -> Bool {
        [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR].contains(error.resultCode)
    }
}

extension SQLiteStore: StoreHealth {
    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
