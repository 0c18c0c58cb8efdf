import Foundation

/// A point on the Earth in WGS84 decimal degrees.
public struct Coordinate: Sendable, Hashable, Codable {
    /// Latitude in degrees, -90 (south) to 90 (north).
    public var latitude: Double
    /// Longitude in degrees, -180 (west) to 180 (east).
    public var longitude: Double

    /// The mean Earth radius in miles used for every distance in Switchboard.
    public static let earthRadiusMiles = 3958.8

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Whether the point can be routed on: finite, in range, and not the `0,0` placeholder that forms send for
    /// "no location".
    public var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
            && !(latitude == 0 && longitude == 0)
    }

    /// The great-circle (haversine) distance to another point, in miles.
    public func distanceMiles(to other: Coordinate) -> Double {
        let degreesToRadians = Double.pi / 180
        let lat1 = latitude * degreesToRadians
        let lat2 = other.latitude * degreesToRadians
        let deltaLat = lat2 - lat1
        let deltaLon = (other.longitude - longitude) * degreesToRadians
        let sinHalfLat = sin(deltaLat / 2)
        let sinHalfLon = sin(deltaLon / 2)
        let a = sinHalfLat * sinHalfLat + cos(lat1) * cos(lat2) * sinHalfLon * sinHalfLon
        return 2 * Self.earthRadiusMiles * asin(min(1, a.squareRoot()))
    }
}

extension Coordinate {
    /// The point as a unit vector from the Earth's centre, where straight-line (chord) distance grows with
    /// great-circle distance.
    var unitVector: SIMD3<Double> {
        let latitude = latitude * .pi / 180
        let longitude = longitude * .pi / 180
        return SIMD3(cos(latitude) * cos(longitude), cos(latitude) * sin(longitude), sin(latitude))
    }

    /// The great-circle distance in miles for a squared chord between unit vectors.
    static func distanceMiles(chordSquared: Double) -> Double {
        2 * earthRadiusMiles * asin(min(1, chordSquared.squareRoot() / 2))
    }

    /// The chord between unit vectors for a great-circle distance in miles.
    static func chord(forMiles miles: Double) -> Double {
        2 * sin(min(Double.pi, max(0, miles) / earthRadiusMiles) / 2)
    }
}

extension Coordinate: CustomStringConvertible {
    public var description: String {
        String(format: "%.5f,%.5f", latitude, longitude)
    }
}
