/// A normalised postal code: a US ZIP (5 digits) or a Canadian forward sortation area (FSA, 3 characters).
///
/// Parsing accepts what people type: `90001`, `90001-1234`, `900011234`, ` 90001 `, `K1A 0B1`, `k1a0b1`, `K1A`.
/// Everything else is invalid.
public enum PostalCode: Sendable, Hashable, Codable {
    /// A five-digit US ZIP code.
    case usZIP(String)
    /// A Canadian forward sortation area: letter, digit, letter, upper case.
    case canadianFSA(String)

    /// The normalised text: `90001` or `K1A`.
    public var text: String {
        switch self {
        case .usZIP(let zip): zip
        case .canadianFSA(let fsa): fsa
        }
    }

    /// The country the code belongs to.
    public var country: Country {
        switch self {
        case .usZIP: .unitedStates
        case .canadianFSA: .canada
        }
    }

    /// The countries whose postal codes Switchboard understands.
    public enum Country: String, Sendable, Hashable, Codable {
        case unitedStates = "US"
        case canada = "CA"
    }

    /// Normalises a typed postal code, or returns `nil` when it is not a well-formed US or Canadian code.
    public init?(parsing raw: String) {
        var text = raw
        // Parsing runs on every lead: work on the UTF-8 bytes in place and allocate nothing.
        guard let code = text.withUTF8({ Self.parse(Trimmed($0)) }) else { return nil }
        self = code
    }

    /// Normalises a typed postal code, or returns `nil` when it is not a well-formed US or Canadian code.
    public init?(parsing raw: Substring) {
        self.init(parsing: String(raw))
    }

    /// Upper-cased bytes of a text with surrounding white space trimmed.
    private struct Trimmed {
        let input: UnsafeBufferPointer<UInt8>
        let start: Int
        let count: Int

        init(_ input: UnsafeBufferPointer<UInt8>) {
            var start = 0
            var end = input.count
            while start < end && input[start].isASCIISpace { start += 1 }
            while end > start && input[end - 1].isASCIISpace { end -= 1 }
            self.input = input
            self.start = start
            self.count = end - start
        }

        subscript(offset: Int) -> UInt8 {
            let byte = input[start + offset]
            return byte.isASCIILowercaseLetter ? byte - 32 : byte
        }

        func allDigits(_ range: Range<Int>) -> Bool {
            for offset in range where !input[start + offset].isASCIIDigit { return false }
            return true
        }

        func string(_ length: Int) -> String {
            String(unsafeUninitializedCapacity: length) { buffer in
                for offset in 0..<length { buffer[offset] = self[offset] }
                return length
            }
        }
    }

    private static func parse(_ text: Trimmed) -> PostalCode? {
        switch text.count {
        case 5 where text.allDigits(0..<5), 9 where text.allDigits(0..<9),
            10 where text.allDigits(0..<5) && text[5] == UInt8(ascii: "-") && text.allDigits(6..<10):
            // Digits need no case mapping: the first five bytes are the ZIP as they are.
            return .usZIP(
                String(
                    decoding: UnsafeBufferPointer(rebasing: text.input[text.start..<(text.start + 5)]),
                    as: UTF8.self
                )
            )
        case 3, 6, 7:
            break
        default:
            return nil
        }
        // Canadian: A1A, A1A1A1 or A1A 1A1 (one space), any case.
        guard text[0].isASCIIUppercaseLetter, text[1].isASCIIDigit, text[2].isASCIIUppercaseLetter else {
            return nil
        }
        if text.count == 7 && text[3] != UInt8(ascii: " ") { return nil }
        if text.count > 3 {
            let unit = text.count == 7 ? 4 : 3
            guard text[unit].isASCIIDigit, text[unit + 1].isASCIIUppercaseLetter, text[unit + 2].isASCIIDigit
            else { return nil }
        }
        return .canadianFSA(text.string(3))
    }
}

extension PostalCode: CustomStringConvertible {
    public var description: String { text }
}

extension UInt8 {
    var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isASCIIUppercaseLetter: Bool { self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") }
    var isASCIILowercaseLetter: Bool { self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") }
    var isASCIISpace: Bool { self == 32 || self == 9 || self == 10 || self == 13 }
}
