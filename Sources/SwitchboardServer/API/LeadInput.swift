import Foundation
import LeadRouting

/// A lead as `POST /v1/leads` and `POST /v1/route/preview` take it.
struct LeadInput: Decodable, Sendable {
    var postalCode: String?
    var latitude: Double?
    var longitude: Double?
    var firstName: String?
    var lastName: String?
    var email: String?
    var phone: String?
    var score: Int?
    var source: String?
    /// Only for previews: the moment to judge capacity windows and business hours at (default: now).
    var at: Date?

    /// The routing input, after checking every field.
    func lead(id: String?, arrivedAt: Date) throws -> Lead {
        var coordinate: Coordinate?
        switch (latitude, longitude) {
        case (let latitude?, let longitude?):
            guard (-90...90).contains(latitude) else {
                throw Problem.invalidField("latitude", "must be between -90 and 90")
            }
            guard (-180...180).contains(longitude) else {
                throw Problem.invalidField("longitude", "must be between -180 and 180")
            }
            coordinate = Coordinate(latitude: latitude, longitude: longitude)
        case (nil, nil): break
        case (nil, _): throw Problem.invalidField("latitude", "is missing; give latitude and longitude together")
        case (_, nil): throw Problem.invalidField("longitude", "is missing; give latitude and longitude together")
        }
        let code = postalCode?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard coordinate != nil || !(code ?? "").isEmpty else {
            throw Problem.invalidField("postalCode", "is required (or give latitude and longitude)")
        }
        if let score, !(0...100).contains(score) {
            throw Problem.invalidField("score", "must be between 0 and 100")
        }
        for (field, value) in [
            ("firstName", firstName), ("lastName", lastName), ("email", email), ("phone", phone), ("source", source),
        ] {
            try TextLimits.check(field, value)
        }
        try TextLimits.check("postalCode", postalCode, maxBytes: TextLimits.postalCode)
        return Lead(
            id: id,
            postalCode: code,
            coordinate: coordinate,
            email: email,
            phone: phone,
            score: score,
            source: source,
            arrivedAt: arrivedAt
        )
    }
}
