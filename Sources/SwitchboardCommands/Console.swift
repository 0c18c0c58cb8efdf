import Foundation

/// Writing to the terminal (or a pipe) without buffering, so that banners and progress show as they happen.
enum Console {
    /// Writes a line to standard output at once.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes text to standard output at once, without a newline (progress redrawn in place).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes a line to standard error at once.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
