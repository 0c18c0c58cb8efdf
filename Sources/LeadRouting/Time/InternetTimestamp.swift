public import Foundation

/// Internet timestamps (RFC 3339: `2026-11-30T12:00:00Z`, `2026-11-29T09:30:00.250-06:00`), the `date-time` of
/// JSON Schema and OpenAPI, read strictly: every field in range (no minute 99, no 30 February), any offset, any
/// number of fractional digits. One reader for every time Switchboard takes in — API bodies and queries, files,
/// flags — so that they all accept and refuse the same text.
public enum InternetTimestamp {
    /// The instant `text` names, or `nil` when it is not an RFC 3339 timestamp.
    public static func date(from text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2),
            bytes[7] == UInt8(ascii: "-"), let day = number(8, 2),
            [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(bytes[10]),
            let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(14, 2),
            bytes[16] == UInt8(ascii: ":"), let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            var scale = 0.1
            index += 1
            let start = index
            while index < bytes.count, let digit = number(index, 1) {
                fraction += Double(digit) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let hours = number(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let minutes = number(index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3_600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count, (1...12).contains(month), day >= 1, day <= days(inMonth: month, of: year),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        // A leap second is only ever the last second of a UTC day.
        if second == 60, ((hour * 60 + minute - offset / 60) % 1_440 + 1_440) % 1_440 != 1_439 { return nil }
        // A leap second (…:60) is read as the last instant of its minute.
        let seconds = min(second, 59)
        let since1970 =
            CivilDays.since1970(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60
            + seconds - offset
        return Date(timeIntervalSince1970: Double(since1970) + (second == 60 ? 0.999_999 : fraction))
    }

    private static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
