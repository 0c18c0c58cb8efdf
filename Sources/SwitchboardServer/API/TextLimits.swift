/// The limits every string the API stores is held to. Lengths count Unicode code points, as JSON Schema's
/// `maxLength` in the OpenAPI document does — not characters (grapheme clusters): "Z" followed by 300,000
/// combining marks is one character but 300,001 code points and 600 KB. A code point is at most 4 UTF-8 bytes,
/// so a field of at most N code points is at most 4·N bytes stored.
enum TextLimits {
    /// Names, e-mails, phones, sources, GHL ids.
    static let field = 256
    /// Postal codes.
    static let postalCode = 16
    /// Free text (an assignment's note, opening hours).
    static let note = 2_000

    /// Checks one optional string field: at most `maxBytes` code points (so at most 4·`maxBytes` bytes) and no
    /// NUL (which would silently cut the value short in some stores and tools).
    static func check(_ field: String, _ value: String?, maxBytes: Int = field) throws {
        guard let value else { return }
        // Cheap first: N bytes always hold at most N code points.
        if value.utf8.count > maxBytes, value.unicodeScalars.count > maxBytes {
            throw Problem.invalidField(
                field,
                "is longer than \(maxBytes) characters (Unicode code points, combining marks included)"
            )
        }
        if value.utf8.contains(0) {
            throw Problem.invalidField(field, "contains a NUL character")
        }
    }
}
