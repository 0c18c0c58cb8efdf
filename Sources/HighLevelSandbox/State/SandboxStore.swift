import Foundation
import GRDB

/// Keeps the sandbox's sub-accounts in a SQLite file (GRDB), so that a restarted sandbox still has them: one row
/// per sub-account holding its contents as JSON, written whenever it changes.
struct SandboxStore: Sendable {
    private let queue: DatabaseQueue

    /// Opens (or creates) the store at a path.
    init(path: String) throws {
        queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "subAccount") { table in
                table.primaryKey("id", .text)
                table.column("position", .integer).notNull()
                table.column("document", .blob).notNull()
            }
            try db.create(table: "counter") { table in
                table.primaryKey("name", .text)
                table.column("value", .integer).notNull()
            }
        }
        try migrator.migrate(queue)
    }

    /// Everything saved: the sub-accounts in creation order, and the id counter.
    func load() throws -> (locations: [SandboxLocation], nextID: Int) {
        try queue.read { db in
            let decoder = JSONDecoder()
            let rows = try Row.fetchAll(db, sql: "SELECT document FROM subAccount ORDER BY position")
            let locations = try rows.map { try decoder.decode(SandboxLocation.self, from: $0["document"] as Data) }
            let nextID = try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'nextID'") ?? 1
            return (locations, nextID)
        }
    }

    /// Saves one sub-account (and the id counter) in one transaction.
    func save(_ location: SandboxLocation, position: Int, nextID: Int) throws {
        let document = try JSONEncoder().encode(location)
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO subAccount (id, position, document) VALUES (?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET position = excluded.position, document = excluded.document
                    """,
                arguments: [location.id, position, document]
            )
            try db.execute(
                sql:
                    "INSERT INTO counter (name, value) VALUES ('nextID', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                arguments: [nextID]
            )
        }
    }

    func delete(id: String) throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM subAccount WHERE id = ?", arguments: [id]) }
    }
}
