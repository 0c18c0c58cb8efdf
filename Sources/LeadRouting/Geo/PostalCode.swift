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
    public init?(parsing raw: some StringProtocol) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        for byte in raw.utf8 {
            bytes.append(byte)
            if bytes.count > 12 { return nil }
        }
        // Trim surrounding ASCII white space.
        while let first = bytes.first, first.isASCIISpace { bytes.removeFirst() }
        while let last = bytes.last, last.isASCIISpace { bytes.removeLast() }

        if bytes.allSatisfy(\.isASCIIDigit) {
            guard bytes.count == 5 || bytes.count == 9 else { return nil }
            self = .usZIP(String(decoding: bytes.prefix(5), as: UTF8.self))
            return
        }
        if bytes.count == 10, bytes[5] == UInt8(ascii: "-"),
            bytes[0..<5].allSatisfy(\.isASCIIDigit), bytes[6...].allSatisfy(\.isASCIIDigit)
        {
            self = .usZIP(String(decoding: bytes.prefix(5), as: UTF8.self))
            return
        }
        // Canadian: A1A, A1A1A1 or A1A 1A1 (one space), any case.
        let upper = bytes.map { $0.isASCIILowercaseLetter ? $0 - 32 : $0 }
        let fsa: ArraySlice<UInt8>
        switch upper.count {
        case 3:
            fsa = upper[0..<3]
        case 6 where Self.isLocalDeliveryUnit(upper[3..<6]):
            fsa = upper[0..<3]
        case 7 where upper[3] == UInt8(ascii: " ") && Self.isLocalDeliveryUnit(upper[4..<7]):
            fsa = upper[0..<3]
        default:
            return nil
        }
        let characters = Array(fsa)
        guard characters[0].isASCIIUppercaseLetter, characters[1].isASCIIDigit,
            characters[2].isASCIIUppercaseLetter
        else { return nil }
        self = .canadianFSA(String(decoding: characters, as: UTF8.self))
    }

    /// The last three characters of a Canadian code: digit, letter, digit.
    private static func isLocalDeliveryUnit(_ bytes: ArraySlice<UInt8>) -> Bool {
        let characters = Array(bytes)
        return characters[0].isASCIIDigit && characters[1].isASCIIUppercaseLetter && characters[2].isASCIIDigit
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
