import Foundation

/// Progress of a long run: a bar redrawn in place on a terminal, a line every 10 % otherwise.
struct ImportProgress {
    let total: Int
    let file: String
    private var done = 0
    private var failures = 0
    private var started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var lastReportedTenth = -1
    private let isTerminal = isatty(STDOUT_FILENO) == 1

    init(total: Int, file: String) {
        self.total = total
        self.file = file
    }

    mutating func start() {
        started = .now
        if !isTerminal { Console.line("\(file): sending \(total) leads") }
    }

    mutating func advance(failures: Int) {
        done += 1
        self.failures = failures
        if isTerminal {
            guard ContinuousClock.now - lastDraw > .milliseconds(100) || done == total else { return }
            lastDraw = .now
            Console.write("\r" + line())
        } else {
            let tenth = total == 0 ? 10 : done * 10 / total
            if tenth > lastReportedTenth {
                lastReportedTenth = tenth
                Console.line(line())
            }
        }
    }

    mutating func finish() {
        if isTerminal { Console.write("\r" + line() + "\n") }
    }

    private func line() -> String {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let remaining = rate > 0 ? Int(Double(total - done) / rate) : 0
        return "\(bar) \(done)/\(total) leads · \(Int(rate))/s · ETA \(remaining) s · \(failures) refused"
    }
}
