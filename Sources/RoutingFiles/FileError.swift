/// A problem in an input file, pinned to the file, line and column so a person can fix it.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based line number; 0 when the problem is the file as a whole.
    public var line: Int
    /// The column (field) concerned, if any.
    public var column: String?
    public var message: String

    public init(file: String, line: Int, column: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE: column 'NAME': MESSAGE`.
    public var description: String {
        var text = line > 0 ? "\(file):\(line): " : "\(file): "
        if let column { text += "column '\(column)': " }
        return text + message
    }
}
