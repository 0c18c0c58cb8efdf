public import Foundation

/// A prospective member to be routed: where they are, how to recognise them again, and how hot they are.
public struct Lead: Sendable, Hashable, Codable {
    /// An id from the source, if any; used only to label results.
    public var id: String?
    /// The postal code as typed; normalised while routing.
    public var postalCode: String?
    /// Coordinates, when the source knows them; valid coordinates win over the postal code.
    public var coordinate: Coordinate?
    public var email: String?
    public var phone: String?
    /// Lead score 0–100; at or above the policy's hot threshold the lead may use reserved slots.
    public var score: Int?
    /// Where the lead came from: `facebook`, `web-form`, `walk-in`, …
    public var source: String?
    /// When the lead arrived; capacity windows and business hours are judged at this instant.
    public var arrivedAt: Date

    public init(
        id: String? = nil,
        postalCode: String? = nil,
        coordinate: Coordinate? = nil,
        email: String? = nil,
        phone: String? = nil,
        score: Int? = nil,
        source: String? = nil,
        arrivedAt: Date
    ) {
        self.id = id
        self.postalCode = postalCode
        self.coordinate = coordinate
        self.email = email
        self.phone = phone
        self.score = score
        self.source = source
        self.arrivedAt = arrivedAt
    }

    /// The normalised keys that recognise the same person again (email, phone).
    public var contactKeys: [ContactKey] {
        [email.flatMap(ContactKey.init(email:)), phone.flatMap(ContactKey.init(phone:))].compactMap { $0 }
    }
}
