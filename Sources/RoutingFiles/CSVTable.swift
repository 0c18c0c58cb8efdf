import CSV
import Foundation

/// A CSV file with a header line, read into rows that remember their line numbers.
///
/// Column names are matched case-insensitively, ignoring surrounding spaces, in any order.
struct CSVTable {
    struct Row {
        /// The line the row starts on (the header is line 1).
        var line: Int
        var fields: [String]
    }

    let file: String
    /// Lower-cased column names, as in the header.
    let columns: [String]
    let rows: [Row]
    private let positions: [String: Int]

    /// Parses CSV text.
    /// - Throws: ``FileError`` for an empty file, a malformed CSV (an unclosed quote), a duplicate column or a row
    ///   with more fields than the header.
    init(text: String, file: String) throws(FileError) {
        self.file = file
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: true)
        } catch {
            throw FileError(file: file, line: 0, message: "not a readable CSV file (\(error))")
        }
        var line = 1
        var header: [String]?
        var rows: [Row] = []
        while let fields = reader.next() {
            let rowLine = line
            line += 1 + fields.reduce(0) { $0 + $1.count { $0 == "\n" } }
            if fields.allSatisfy(\.isEmpty) { continue }
            if header == nil {
                header = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                continue
            }
            rows.append(Row(line: rowLine, fields: fields))
        }
        if let error = reader.error {
            throw FileError(file: file, line: line, message: "malformed CSV (\(error)); check for an unclosed quote")
        }
        guard let header else {
            throw FileError(file: file, line: 0, message: "the file is empty; expected a header line")
        }
        var positions: [String: Int] = [:]
        for (index, name) in header.enumerated() where !name.isEmpty {
            guard positions.updateValue(index, forKey: name) == nil else {
                throw FileError(file: file, line: 1, column: name, message: "the column appears twice in the header")
            }
        }
        for row in rows where row.fields.count > header.count {
            throw FileError(
                file: file,
                line: row.line,
                message: "the row has \(row.fields.count) fields but the header names \(header.count) columns"
            )
        }
        self.columns = header
        self.rows = rows
        self.positions = positions
    }

    /// Reads a CSV file from disk.
    init(contentsOf path: String) throws(FileError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileError(file: path, line: 0, message: "cannot be read (\(Self.reason(error)))")
        }
        try self.init(text: text, file: path)
    }

    func hasColumn(_ name: String) -> Bool { positions[name] != nil }

    /// The trimmed value of a column in a row; `nil` when the column is absent or the field empty.
    func value(_ column: String, in row: Row) -> String? {
        guard let position = positions[column], position < row.fields.count else { return nil }
        let value = row.fields[position].trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Fails unless the header has all the given columns.
    func require(columns required: [String]) throws(FileError) {
        for column in required where !hasColumn(column) {
            throw FileError(
                file: file,
                line: 1,
                column: column,
                message: "required column is missing (the header has: \(columns.joined(separator: ", ")))"
            )
        }
    }

    func error(_ row: Row, _ column: String?, _ message: String) -> FileError {
        FileError(file: file, line: row.line, column: column, message: message)
    }

    private static func reason(_ error: any Error) -> String {
        let cocoa = error as NSError
        if cocoa.domain == NSCocoaErrorDomain && cocoa.code == NSFileReadNoSuchFileError { return "no such file" }
        return cocoa.localizedDescription
    }
}

extension CSVTable {
    /// A whole number ≥ 0, or `nil` when empty.
    func count(_ column: String, in row: Row) throws(FileError) -> Int? {
        guard let text = value(column, in: row) else { return nil }
        guard let number = Int(text), number >= 0 else {
            throw error(row, column, "'\(text)' is not a whole number of 0 or more")
        }
        return number
    }

    /// An integer (possibly negative), or `nil` when empty.
    func integer(_ column: String, in row: Row) throws(FileError) -> Int? {
        guard let text = value(column, in: row) else { return nil }
        guard let number = Int(text) else { throw error(row, column, "'\(text)' is not a whole number") }
        return number
    }

    /// A finite decimal number in a range, or `nil` when empty.
    func decimal(_ column: String, in row: Row, range: ClosedRange<Double>) throws(FileError) -> Double? {
        guard let text = value(column, in: row) else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw error(row, column, "'\(text)' is not a number")
        }
        guard range.contains(number) else {
            throw error(row, column, "\(text) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }
}
