/// A command that could not do its work for a reason outside the command line (no usage text is printed).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
