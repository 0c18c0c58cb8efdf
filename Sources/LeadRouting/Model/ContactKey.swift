/// A normalised email address or phone number, used to recognise a repeat lead.
public enum ContactKey: Sendable, Hashable, Codable {
    case email(String)
    case phone(String)

    /// Normalises an email: trimmed and lower-cased; `nil` unless it has the shape `local@domain`.
    public init?(email raw: String) {
        let email = raw.trimmingASCIISpaces().lowercased()
        guard let at = email.firstIndex(of: "@"), at != email.startIndex, email.index(after: at) != email.endIndex,
            !email.contains(" ")
        else { return nil }
        self = .email(email)
    }

    /// Normalises a phone number to its digits; a North American 11-digit number starting with 1 drops the 1.
    /// `nil` when fewer than 7 digits remain.
    public init?(phone raw: String) {
        var digits = raw.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init)
        if digits.count == 11 && digits.first == "1" { digits.removeFirst() }
        guard digits.count >= 7 && digits.count <= 15 else { return nil }
        self = .phone(String(digits))
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\n" || first == "\r" {
            slice.removeFirst()
        }
        while let last = slice.last, last == " " || last == "\t" || last == "\n" || last == "\r" {
            slice.removeLast()
        }
        return String(slice)
    }
}
