/// Opening hours for each day of the week, in the location's local time.
///
/// Written as text like `mon-fri 05:00-22:00; sat 07:00-19:00; sun closed` (days `mon` … `sun`, ranges of days
/// with `-`, several intervals for a day separated by spaces, `24h` for all day, `closed`); `24h` alone means
/// always open. Days not named are closed.
public struct WeeklyHours: Sendable, Hashable, Codable {
    /// For each weekday (0 = Monday … 6 = Sunday), the open intervals in minutes since local midnight.
    public var days: [[Range<Int>]]

    /// A schedule from explicit intervals per weekday (0 = Monday).
    public init(days: [[Range<Int>]]) {
        precondition(days.count == 7, "a week has 7 days")
        self.days = days
    }

    /// Whether the location is open at a local weekday and minute.
    public func isOpen(weekday: Int, minuteOfDay: Int) -> Bool {
        days[weekday].contains { $0.contains(minuteOfDay) }
    }

    private static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Parses the text form.
    /// - Throws: ``WeeklyHours/ParseError`` saying which part is wrong.
    public init(parsing text: String) throws(ParseError) {
        if Substring(text.lowercased()).trimmingCharacters(in: " ") == "24h" {
            self.days = Array(repeating: [0..<1440], count: 7)
            return
        }
        var days: [[Range<Int>]] = Array(repeating: [], count: 7)
        let clauses = text.split(whereSeparator: { $0 == ";" || $0 == "," })
            .map { $0.trimmingCharacters(in: " ") }
            .filter { !$0.isEmpty }
        guard !clauses.isEmpty else { throw ParseError(text: text, reason: "no days given") }
        for clause in clauses {
            let words = clause.lowercased().split(separator: " ").map(String.init)
            let dayPart = words[0]
            let bounds = dayPart.split(separator: "-").map(String.init)
            guard (1...2).contains(bounds.count),
                let first = Self.dayNames.firstIndex(of: bounds[0]),
                let last = Self.dayNames.firstIndex(of: bounds.last!)
            else {
                throw ParseError(text: text, reason: "'\(dayPart)' is not a day or day range like mon-fri")
            }
            let selected = first <= last ? Array(first...last) : Array(first...6) + Array(0...last)
            let intervals = try Self.intervals(words.dropFirst(), clause: clause, text: text)
            for day in selected { days[day] = intervals }
        }
        self.days = days
    }

    private static func intervals(
        _ words: ArraySlice<String>,
        clause: String,
        text: String
    ) throws(ParseError) -> [Range<Int>] {
        guard !words.isEmpty else { throw ParseError(text: text, reason: "'\(clause)' gives no hours") }
        if words == ["closed"] { return [] }
        if words == ["24h"] { return [0..<1440] }
        var result: [Range<Int>] = []
        for word in words {
            let ends = word.split(separator: "-").map(String.init)
            guard ends.count == 2, let open = minutes(ends[0]), let close = minutes(ends[1]) else {
                throw ParseError(text: text, reason: "'\(word)' is not an interval like 06:00-22:00")
            }
            guard open < close else {
                throw ParseError(
                    text: text,
                    reason: "'\(word)' closes before it opens (an interval ends on its own day)",
                    kind: .emptyInterval
                )
            }
            result.append(open..<close)
        }
        return result
    }

    /// `H:MM` or `HH:MM` (00:00–24:00) as minutes since midnight.
    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].utf8.count), parts[1].utf8.count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0...24).contains(hours), (0..<60).contains(minutes), hours * 60 + minutes <= 1440
        else { return nil }
        return hours * 60 + minutes
    }

    /// Why a business-hours text could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var text: String
        public var reason: String
        /// Whether the text is not business hours at all, or well-formed hours with an interval that is empty.
        public var kind: Kind = .malformed
        public var description: String { "business hours \"\(text)\": \(reason)" }

        public enum Kind: Sendable, Hashable {
            /// Not in the business-hours form.
            case malformed
            /// Well formed, but an interval closes when or before it opens.
            case emptyInterval
        }
    }
}

extension WeeklyHours: CustomStringConvertible {
    /// The text form, one clause per day.
    public var description: String {
        zip(Self.dayNames, days).map { name, intervals in
            guard !intervals.isEmpty else { return "\(name) closed" }
            return "\(name) "
                + intervals.map { "\(Self.clock($0.lowerBound))-\(Self.clock($0.upperBound))" }
                .joined(separator: " ")
        }.joined(separator: "; ")
    }

    private static func clock(_ minutes: Int) -> String {
        let hours = minutes / 60
        let rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var slice = self
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}
