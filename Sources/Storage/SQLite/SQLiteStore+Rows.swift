import Foundation
import GRDB

extension SQLiteStore {
    /// Every row of a statement, each converted as it is read.
    ///
    /// Rows are read through a cursor: there, a column looked up by name is found in a dictionary. A row copied
    /// out by `Row.fetchAll` or `Row.fetchOne` compares the name with every column's, lowercased, on each lookup,
    /// which made decoding a lead row (25 columns) a large share of routing's cost.
    static func rows<T>(
        of statement: Statement,
        arguments: StatementArguments = StatementArguments(),
        as convert: (Row) throws -> T
    ) throws -> [T] {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        var converted: [T] = []
        while let row = try cursor.next() { converted.append(try convert(row)) }
        return converted
    }

    /// The first row of a statement, converted, or `nil` when there is none (see ``rows(of:arguments:as:)``).
    static func firstRow<T>(
        of statement: Statement,
        arguments: StatementArguments = StatementArguments(),
        as convert: (Row) throws -> T
    ) throws -> T? {
        // A cursor's row reads the statement: the cursor must live until the row is converted.
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        guard let row = try cursor.next() else { return nil }
        return try withExtendedLifetime(cursor) { try convert(row) }
    }
}

extension Row: StoredColumns {
    func string(_ column: String) throws -> String? { self[column] }
    func double(_ column: String) throws -> Double? { self[column] }
    func int(_ column: String) throws -> Int? { self[column] }
    func bool(_ column: String) throws -> Bool? { self[column] }
    func bytes(_ column: String) throws -> [UInt8]? { (self[column] as Data?).map { [UInt8]($0) } }
}
