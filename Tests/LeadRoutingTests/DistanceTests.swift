import LeadRouting
import SwitchboardTesting
import Testing

@Suite("Distances between real postal codes")
struct DistanceTests {
    /// Expected miles computed independently (haversine, R = 3958.8 mi) from the same centroids.
    @Test(
        "haversine distance",
        arguments: [
            ("10001", "90210", 2453.44),
            ("78703", "78701", 2.10),
            ("78703", "78745", 6.23),
            ("30303", "30060", 14.51),
            ("85251", "85281", 4.70),
            ("80202", "80302", 26.52),
            ("33602", "33701", 16.61),
            ("75201", "77002", 225.92),
            ("M5V", "K1A", 219.72),
        ]
    )
    func distance(from: String, to: String, miles: Double) throws {
        let directory = Fixtures.directory
        let fromCode = try #require(PostalCode(parsing: from))
        let toCode = try #require(PostalCode(parsing: to))
        let a = try #require(directory.point(for: fromCode))
        let b = try #require(directory.point(for: toCode))
        #expect(abs(a.distanceMiles(to: b) - miles) <= 0.5)
        #expect(abs(b.distanceMiles(to: a) - miles) <= 0.5)
    }

    @Test("a point is zero miles from itself and placeholder coordinates are invalid")
    func degenerate() {
        let point = Coordinate(latitude: 30.27, longitude: -97.74)
        #expect(point.distanceMiles(to: point) == 0)
        #expect(point.isValid)
        #expect(!Coordinate(latitude: 0, longitude: 0).isValid)
        #expect(!Coordinate(latitude: 91, longitude: 0).isValid)
        #expect(!Coordinate(latitude: .nan, longitude: 10).isValid)
    }
}
