import LeadRouting
import Testing

@Suite("Postal code normalisation")
struct PostalCodeTests {
    @Test(
        "well-formed codes normalise",
        arguments: [
            ("90001", PostalCode.usZIP("90001")),
            ("90001-1234", .usZIP("90001")),
            ("900011234", .usZIP("90001")),
            ("  02134 ", .usZIP("02134")),
            ("00000", .usZIP("00000")),
            ("K1A 0B1", .canadianFSA("K1A")),
            ("k1a0b1", .canadianFSA("K1A")),
            ("K1A", .canadianFSA("K1A")),
            (" m5v 3l9 ", .canadianFSA("M5V")),
        ]
    )
    func normalises(input: String, expected: PostalCode) {
        #expect(PostalCode(parsing: input) == expected)
    }

    @Test(
        "anything else is invalid",
        arguments: [
            "1234", "abcde", "", "   ", "123456", "90001-12", "9000-11234", "K1A0B", "K1A-0B1", "1A1 A1A", "K1A  0B1",
        ]
    )
    func rejects(input: String) {
        #expect(PostalCode(parsing: input) == nil)
    }

    @Test("contact keys normalise email and phone")
    func contactKeys() {
        #expect(ContactKey(email: "  Jane.Doe@Example.COM ") == .email("jane.doe@example.com"))
        #expect(ContactKey(email: "not-an-email") == nil)
        #expect(ContactKey(phone: "+1 (512) 555-0100") == .phone("5125550100"))
        #expect(ContactKey(phone: "512.555.0100") == .phone("5125550100"))
        #expect(ContactKey(phone: "555") == nil)
    }
}
