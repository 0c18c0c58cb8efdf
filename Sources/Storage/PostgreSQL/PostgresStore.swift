import Foundation
public import Logging
import NIOSSL
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// The scale-out store: PostgreSQL through postgres-nio. Any number of Switchboard instances share one database;
/// every guarantee of the embedded store holds across them (see ARCHITECTURE.md, "Where the two stores differ").
///
/// The store is a `Service`: its connection pool runs while the service group runs, and it must run before anything
/// queries it (``whileRunning(_:)`` runs it around a piece of work, for commands and tests). Call ``migrate()`` once
/// it runs; instances starting together migrate once.
public final class PostgresStore: Service, Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Where the store was opened (for messages; no password).
    public let url: PostgresURL
    /// Whose clock leases are measured by.
    let leaseClock: LeaseClock
    /// Intake's transactions: concurrent leads are committed together; beyond the waiting limit the database is
    /// not keeping up and intake answers "try again later" instead of queueing without bound.
    let intakeBatcher: PostgresIntakeBatcher

    /// How long a transaction waits for a pooled connection before it fails as unavailable (intake then answers
    /// 429, which GHL retries): a database that is down or a pool that is exhausted never holds a request longer.
    let connectionWait: Duration

    /// Whose clock decides when a lease has lapsed.
    public enum LeaseClock: Sendable {
        /// The database's (the default): instances on hosts whose clocks disagree never take each other's live
        /// leases.
        case database
        /// The `now` each call passes (tests that move time).
        case caller
    }

    /// - Parameters:
    ///   - url: The database.
    ///   - maximumConnections: The pool's size in this process.
    ///   - leaseClock: Whose clock decides when a lease lapsed.
    public init(
        url: PostgresURL,
        maximumConnections: Int = 20,
        maximumWaitingIntakes: Int = 4_000,
        connectionWait: Duration = .seconds(10),
        statementTimeout: Duration = .seconds(15),
        lockTimeout: Duration = .seconds(5),
        leaseClock: LeaseClock = .database,
        logger: Logger = Logger(label: "switchboard.postgres")
    ) throws {
        let tls: PostgresClient.Configuration.TLS =
            switch url.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: url.host,
            port: url.port,
            username: url.username,
            password: url.password,
            database: url.database,
            tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        var parameters = [
            ("application_name", "switchboard"),
            // A statement stuck behind a lock or a slow disk fails (and its caller answers "try again later")
            // instead of holding a connection and a request for ever.
            ("statement_timeout", "\(statementTimeout.components.seconds)s"),
            ("lock_timeout", "\(lockTimeout.components.seconds)s"), ("idle_in_transaction_session_timeout", "60s"),
        ]
        if let schema = url.schema { parameters.append(("search_path", schema)) }
        configuration.options.additionalStartupParameters = parameters
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.url = url
        self.logger = logger
        self.leaseClock = leaseClock
        self.connectionWait = connectionWait
        // The batcher's work needs the store; the store owns the batcher: a box breaks the cycle at init.
        let box = StoreBox()
        self.intakeBatcher = PostgresIntakeBatcher(maximumWaiting: maximumWaitingIntakes) { intakes in
            guard let store = box.store else { throw StoreError.unavailable("the store is closed") }
            return try await store.acceptBatch(intakes)
        }
        box.store = self
    }

    /// Runs the connection pool until graceful shutdown or cancellation.
    public func run() async throws {
        await client.run()
    }

    /// Runs the pool around `body` (a command, a test), migrating first; stops it afterwards.
    public func whileRunning<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            defer { group.cancelAll() }
            try await waitUntilReachable()
            try await migrate()
            return try await body()
        }
    }

    /// Waits for the database to answer, up to `timeout`. - Throws: ``StoreError/unavailable(_:)`` naming the
    /// server when it does not.
    public func waitUntilReachable(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                try await withDeadline(.seconds(3)) { try await self.ping() }
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        throw StoreError.unavailable(
            "PostgreSQL at \(url.host):\(url.port) (database \(url.database)) did not answer within "
                + "\(timeout.components.seconds) s: \(lastError.map(Self.describe) ?? "no answer")"
        )
    }

    // MARK: Queries

    /// Runs one statement on any pooled connection and collects its rows.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        do {
            var collected: [PostgresRandomAccessRow] = []
            for try await row in try await client.query(query, logger: logger) {
                collected.append(row.makeRandomAccess())
            }
            return collected
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Runs `body` in one READ COMMITTED transaction; retried (a few times, with jitter) when PostgreSQL aborts it
    /// for a deadlock or a serialization failure, which it reports only to be retried.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (Transaction) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { [logger] connection in
                    try await connection.withTransaction(logger: logger) { connection in
                        try await body(Transaction(connection: connection, logger: logger))
                    }
                }
            } catch {
                let cause = Self.cause(of: error)
                if Self.isRetryable(cause), attempt < 6 {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 << attempt))))
                    continue
                }
                throw Self.storeError(cause)
            }
        }
    }

    /// Leases a pooled connection for `body`, waiting at most ``connectionWait`` for it; once leased, `body` is
    /// never cut short (a transaction cancelled mid-commit would leave its outcome unknown).
    func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws
        -> T
    {
        let leased = LeaseFlag()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await self.client.withConnection { connection in
                    leased.value.store(true, ordering: .sequentiallyConsistent)
                    return try await body(connection)
                }
            }
            group.addTask { [connectionWait] in
                try await Task.sleep(for: connectionWait)
                guard leased.value.load(ordering: .sequentiallyConsistent) else {
                    throw StoreError.unavailable("no database connection within \(connectionWait)")
                }
                return nil
            }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }

    /// A connection in an open transaction.
    struct Transaction: Sendable {
        let connection: PostgresConnection
        let logger: Logger

        /// Runs one statement and collects its rows.
        @discardableResult
        func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
            var collected: [PostgresRandomAccessRow] = []
            for try await row in try await connection.query(query, logger: logger) {
                collected.append(row.makeRandomAccess())
            }
            return collected
        }
    }

    // MARK: Errors

    /// The error inside a transaction's wrapper.
    static func cause(of error: any Error) -> any Error {
        guard let wrapped = error as? PostgresTransactionError else { return error }
        return wrapped.closureError ?? wrapped.commitError ?? wrapped.beginError ?? wrapped.rollbackError ?? error
    }

    static func sqlState(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Deadlock or serialization failure: PostgreSQL rolled the transaction back for the caller to retry it.
    static func isRetryable(_ error: any Error) -> Bool {
        ["40P01", "40001"].contains(sqlState(of: error))
    }

    /// Errors that mean "try again shortly" as ``StoreError/unavailable(_:)`` (intake answers 429), a unique
    /// violation as ``StoreError/conflict(_:)``; the rest as they are.
    static func storeError(_ error: any Error) -> any Error {
        let error = cause(of: error)
        if error is StoreError { return error }
        guard let psql = error as? PSQLError else {
            if error is CancellationError { return error }
            return error
        }
        if let state = psql.serverInfo?[.sqlState] {
            switch state {
            case "23505": return StoreError.conflict(psql.serverInfo?[.detail] ?? "already exists")
            case "40P01", "40001", "53300", "53400", "57P01", "57P02", "57P03", "55P03", "57014", "08000", "08003",
                "08006":
                return StoreError.unavailable(describe(psql))
            default: return error
            }
        }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .queryCancelled,
            .uncleanShutdown:
            return StoreError.unavailable(describe(psql))
        default: return error
        }
    }

    /// A PostgreSQL error as a person reads it (`PSQLError`'s own description hides the server's message).
    static func describe(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return "\(error)" }
        if let message = psql.serverInfo?[.message] {
            return message + (psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
        return "\(psql.code)"
    }

    /// The current time in SQL: the database's clock, or the caller's `now` (see ``LeaseClock``).
    func nowSQL(_ now: Date) -> String {
        switch leaseClock {
        case .database: "extract(epoch from clock_timestamp())::double precision"
        // A Double's description reads back as the same Double; nothing but digits, '.', 'e' and '-' reach the SQL.
        case .caller: "(\(now.timeIntervalSince1970))::double precision"
        }
    }
}

extension PostgresStore: StoreHealth {
    public func ping() async throws {
        try await rows("SELECT 1")
    }
}

/// Whether a connection was leased (shared by the leasing task and its deadline).
private final class LeaseFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// Holds the store for its intake batcher's work, weakly (the store owns the batcher). Set once, in the store's
/// initializer, before any intake can run; only read afterwards.
private final class StoreBox: @unchecked Sendable {
    weak var store: PostgresStore?
}

/// Runs `body`, failing with ``StoreError/unavailable(_:)`` when it takes longer than `timeout` (it is cancelled).
func withDeadline<T: Sendable>(
    _ timeout: Duration,
    _ body: @escaping @Sendable () async throws -> T
) async throws
    -> T
{
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw StoreError.unavailable("no answer within \(timeout)")
        }
        return value
    }
}

extension PostgresRandomAccessRow: StoredColumns {
    func string(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func double(_ column: String) throws -> Double? { try self[column].decode(Double?.self) }
    func int(_ column: String) throws -> Int? { try self[column].decode(Int?.self) }
    func bool(_ column: String) throws -> Bool? { try self[column].decode(Bool?.self) }
    func bytes(_ column: String) throws -> [UInt8]? {
        try self[column].decode(ByteBuffer?.self).map { Array($0.readableBytesView) }
    }
}
