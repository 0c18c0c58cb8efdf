import LeadRouting

/// Writes a routing decision as the JSON its `Decodable` conformance reads — the same document `JSONEncoder` makes,
/// about ten times faster. Decisions are written for every lead routed, and Foundation's generic encoder was the
/// routing path's largest cost after the database. A round-trip test holds the two to the same format.
enum DecisionWriter {
    static func json(_ decision: RoutingDecision) -> String {
        var out = JSONOut()
        out.object { out in
            out.field("leadID", decision.leadID)
            out.field("outcome", decision.outcome.rawValue)
            out.field("locationID", decision.locationID)
            out.field("distanceMiles", decision.distanceMiles)
            out.field("nearestLocationID", decision.nearestLocationID)
            out.field("nearestDistanceMiles", decision.nearestDistanceMiles)
            out.field("hotLead", decision.hotLead)
            if let windows = decision.windows {
                out.key("windows")
                out.object { out in
                    out.field("day", windows.day)
                    out.field("week", windows.week)
                    out.field("minuteOfDay", windows.minuteOfDay)
                    out.field("weekday", windows.weekday)
                }
            }
            out.key("explanation")
            explanation(decision.explanation, into: &out)
        }
        return out.text
    }

    private static func explanation(_ explanation: RoutingExplanation, into out: inout JSONOut) {
        out.object { out in
            if let point = explanation.point {
                out.key("point")
                out.object { out in
                    out.key("coordinate")
                    out.object { out in
                        out.field("latitude", point.coordinate.latitude)
                        out.field("longitude", point.coordinate.longitude)
                    }
                    out.field("source", point.source.rawValue)
                    if let code = point.postalCode {
                        out.key("postalCode")
                        out.object { out in
                            out.key(code.country == .canada ? "canadianFSA" : "usZIP")
                            out.object { out in out.field("_0", code.text) }
                        }
                    }
                }
            }
            out.field("rule", explanation.rule.rawValue)
            out.field("tieBreak", explanation.tieBreak?.rawValue)
            out.key("candidates")
            out.array(explanation.candidates) { out, candidate in
                out.object { out in
                    out.field("locationID", candidate.locationID)
                    out.field("distanceMiles", candidate.distanceMiles)
                    out.field("status", candidate.status.rawValue)
                    out.field("radiusMiles", candidate.radiusMiles)
                    out.key("usage")
                    out.object { out in
                        out.field("today", candidate.usage.today)
                        out.field("thisWeek", candidate.usage.thisWeek)
                    }
                    out.field("dailyLimit", candidate.dailyLimit)
                    out.field("weeklyLimit", candidate.weeklyLimit)
                    out.field("isOpen", candidate.isOpen)
                    out.field("verdict", candidate.verdict.rawValue)
                }
            }
            out.field("unlistedCandidates", explanation.unlistedCandidates)
            out.key("notes")
            out.array(explanation.notes) { out, note in out.string(note) }
        }
    }
}

/// A minimal JSON writer: objects, arrays, strings (escaped), numbers, booleans. Optional fields that are `nil`
/// are left out, as synthesized `Encodable` conformances do. Writes UTF-8 bytes: a string with nothing to escape
/// (every key, almost every value) is copied whole.
private struct JSONOut {
    private var bytes: [UInt8] = []
    private var needsComma = false

    init() { bytes.reserveCapacity(4096) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func object(_ body: (inout JSONOut) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func array<T>(_ items: [T], _ body: (inout JSONOut, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for item in items {
            if needsComma { bytes.append(UInt8(ascii: ",")) }
            body(&self, item)
            needsComma = true
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func field(_ name: String, _ value: Double?) {
        guard let value else { return }
        key(name)
        // Swift's description is the shortest text that reads back as the same Double, as JSONEncoder writes.
        bytes.append(contentsOf: (value.isFinite ? value.description : "0").utf8)
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = value.utf8
        if !utf8.contains(where: Self.needsEscape) {
            bytes.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): bytes.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): bytes.append(contentsOf: #"\t"#.utf8)
                case ..<0x20:
                    let hex = String(byte, radix: 16)
                    bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A quote, a backslash or a control character; bytes of multi-byte UTF-8 sequences are all 0x80 or above.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}
