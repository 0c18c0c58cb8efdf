import Foundation
import LeadTracking

/// Reads an attempt's progress from the JSON ``AttemptProgress/storedText(_:)`` writes, without `JSONDecoder`:
/// every GHL event about a lead reads its attempt's progress, and the decoder's generic machinery was half the cost
/// of storing an event. Numbers are read from their text (`Double(_:)`, correctly rounded, as the decoder reads
/// them). Anything it does not expect — an escaped string, an unknown key, another type — gives `nil`, and the
/// caller falls back to the decoder.
struct StoredProgressReader {
    private let bytes: [UInt8]
    private var index = 0

    static func read(_ text: String) -> AttemptProgress? {
        var reader = StoredProgressReader(bytes: Array(text.utf8))
        return reader.progress()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func progress() -> AttemptProgress? {
        var progress = AttemptProgress()
        let complete = object { key, reader in
            switch key {
            case "firstTouchAt": return reader.date().map { progress.firstTouchAt = $0 } != nil
            case "firstContactAt": return reader.date().map { progress.firstContactAt = $0 } != nil
            case "firstWorkedAt": return reader.date().map { progress.firstWorkedAt = $0 } != nil
            case "claimedAt": return reader.date().map { progress.claimedAt = $0 } != nil
            case "deletedAt": return reader.date().map { progress.deletedAt = $0 } != nil
            case "firstTouchUserID": return reader.string().map { progress.firstTouchUserID = $0 } != nil
            case "reroutedAway": return reader.bool().map { progress.reroutedAway = $0 } != nil
            case "status": return reader.stamped { $0.string() }.map { progress.status = $0 } != nil
            case "stageID": return reader.stamped { $0.string() }.map { progress.stageID = $0 } != nil
            case "monetaryValue": return reader.stamped { $0.number() }.map { progress.monetaryValue = $0 } != nil
            case "doNotDisturb": return reader.stamped { $0.bool() }.map { progress.doNotDisturb = $0 } != nil
            case "appointments":
                return reader.object { id, reader in
                    reader.stamped { $0.string() }.map { progress.appointments[id] = $0 } != nil
                }
            case "stageSteps":
                guard let names = reader.strings() else { return false }
                let steps = names.compactMap(StageStep.init(rawValue:))
                guard steps.count == names.count else { return false }
                progress.stageSteps = Set(steps)
                return true
            default: return false
            }
        }
        skipSpaces()
        return complete && index == bytes.count ? progress : nil
    }

    // MARK: Values

    /// An object, each member read by `member` (which returns false for a value it cannot take).
    private mutating func object(_ member: (String, inout StoredProgressReader) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), member(key, &self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    private mutating func stamped<Value>(_ value: (inout StoredProgressReader) -> Value?) -> Stamped<Value>? {
        var at: Double?
        var found: Value?
        let complete = object { key, reader in
            switch key {
            case "at": at = reader.number()
            case "value": found = value(&reader)
            default: return false
            }
            return true
        }
        guard complete, let at, let found else { return nil }
        return Stamped(found, at: Date(timeIntervalSince1970: at))
    }

    private mutating func strings() -> [String]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var values: [String] = []
        if take(UInt8(ascii: "]")) { return values }
        repeat {
            guard let value = string() else { return nil }
            values.append(value)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? values : nil
    }

    /// A string without escapes (one with a backslash is left to the decoder).
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func number() -> Double? {
        skipSpaces()
        let start = index
        while index < bytes.count, Self.numberBytes.contains(bytes[index]) { index += 1 }
        guard index > start else { return nil }
        return Double(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private mutating func date() -> Date? { number().map { Date(timeIntervalSince1970: $0) } }

    private mutating func bool() -> Bool? {
        skipSpaces()
        if matches("true") { return true }
        if matches("false") { return false }
        return nil
    }

    // MARK: Bytes

    private static let numberBytes = Set("+-0123456789.eE".utf8)

    private mutating func skipSpaces() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpaces()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func matches(_ word: String) -> Bool {
        let word = Array(word.utf8)
        guard bytes.count - index >= word.count, Array(bytes[index..<index + word.count]) == word else { return false }
        index += word.count
        return true
    }
}
