import PostgresNIO

extension PostgresStore {
    /// Runs `body` holding a lock that every instance on this database (and schema) shares: a session advisory
    /// lock on one pooled connection, released when `body` ends — or by the server when the holder's connection
    /// dies (a `kill -9` never leaves it held).
    /// - Parameter wait: Wait for the lock; `false` returns `nil` at once when another holds it.
    /// - Returns: What `body` returned, or `nil` when the lock was taken and `wait` is `false`.
    public func withLock<T: Sendable>(
        _ name: String,
        wait: Bool = true,
        _ body: () async throws -> T
    ) async throws -> T? {
        let key = "switchboard.\(url.schema ?? "public").\(name)"
        do {
            return try await client.withConnection { connection -> T? in
                if wait {
                    // The wait lasts as long as the holder's work: the connection's usual timeouts are lifted for
                    // it and restored after.
                    try await connection.query("SET lock_timeout = 0", logger: logger)
                    try await connection.query("SET statement_timeout = 0", logger: logger)
                    try await connection.query("SELECT pg_advisory_lock(hashtext(\(key)))", logger: logger)
                    try await connection.query("RESET lock_timeout", logger: logger)
                    try await connection.query("RESET statement_timeout", logger: logger)
                } else {
                    let rows = try await connection.query(
                        "SELECT pg_try_advisory_lock(hashtext(\(key))) AS taken",
                        logger: logger
                    )
                    var taken = false
                    for try await row in rows { taken = try row.makeRandomAccess()["taken"].decode(Bool.self) }
                    guard taken else { return nil }
                }
                do {
                    let value = try await body()
                    try await connection.query("SELECT pg_advisory_unlock(hashtext(\(key)))", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(key)))", logger: logger)
                    throw error
                }
            }
        } catch {
            throw Self.storeError(error)
        }
    }
}
