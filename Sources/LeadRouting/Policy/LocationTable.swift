/// The locations of an engine laid out for routing: one array per attribute (so the hot loop touches only what it
/// needs), the spatial index, and the lookups by id and territory. Immutable and shared by reference.
final class LocationTable: Sendable {
    let locations: [Location]
    let ids: [String]
    let statuses: [LocationStatus]
    let capacities: [CapacityLimits]
    let hours: [WeeklyHours?]
    let points: [Coordinate]
    /// The points as unit vectors, for cheap exact distances.
    let vectors: [SIMD3<Double>]
    /// The unit vectors' coordinates, one array per axis, for a scan the compiler can vectorise.
    private let xs: [Double]
    private let ys: [Double]
    private let zs: [Double]
    let radii: [Double]
    /// For each location, its position in `zones`.
    let zoneOfLocation: [Int]
    /// The distinct time zones of the locations.
    let zones: [UTCOffsets]
    let positionsByID: [String: Int]
    /// For each protected postal code, its owners in order of preference (priority, then id).
    let territoryOwners: [PostalCode: [Int]]
    let index: SpatialIndex
    let search: CandidateSearch
    /// The largest radius of any location: how far the candidate search reaches.
    let maxRadius: Double
    let activeCount: Int

    init(
        locations: [Location],
        directory: PostalDirectory,
        defaultRadiusMiles: Double,
        search: CandidateSearch
    ) throws(RoutingError) {
        var points: [Coordinate] = []
        var radii: [Double] = []
        var zoneOfLocation: [Int] = []
        var zones: [UTCOffsets] = []
        var zoneByIdentifier: [String: Int] = [:]
        var positionsByID: [String: Int] = [:]
        var territoryOwners: [PostalCode: [Int]] = [:]
        for (position, location) in locations.enumerated() {
            guard positionsByID.updateValue(position, forKey: location.id) == nil else {
                throw RoutingError(code: .duplicateLocationID, locationID: location.id, message: "the id is used twice")
            }
            guard let point = Self.point(of: location, directory: directory) else {
                throw RoutingError(
                    code: .unlocatableLocation,
                    locationID: location.id,
                    message: location.postalCode.map {
                        "postal code \($0) is not in the reference data; give coordinates"
                    } ?? "needs a postal code or valid coordinates"
                )
            }
            try Self.validate(location)
            if zoneByIdentifier[location.timeZoneIdentifier] == nil {
                guard let zone = UTCOffsets(identifier: location.timeZoneIdentifier) else {
                    throw RoutingError(
                        code: .unknownTimeZone,
                        locationID: location.id,
                        message: "time zone '\(location.timeZoneIdentifier)' is not an IANA identifier"
                    )
                }
                zoneByIdentifier[location.timeZoneIdentifier] = zones.count
                zones.append(zone)
            }
            zoneOfLocation.append(zoneByIdentifier[location.timeZoneIdentifier]!)
            points.append(point)
            radii.append(location.radiusMiles ?? defaultRadiusMiles)
            for code in location.territory { territoryOwners[code, default: []].append(position) }
        }
        for code in territoryOwners.keys {
            territoryOwners[code]!.sort { Self.prefers(locations[$0], over: locations[$1]) }
        }
        self.locations = locations
        self.ids = locations.map(\.id)
        self.statuses = locations.map(\.status)
        self.capacities = locations.map(\.capacity)
        self.hours = locations.map(\.businessHours)
        self.points = points
        let vectors = points.map(\.unitVector)
        self.vectors = vectors
        self.xs = vectors.map(\.x)
        self.ys = vectors.map(\.y)
        self.zs = vectors.map(\.z)
        self.radii = radii
        self.zoneOfLocation = zoneOfLocation
        self.zones = zones
        self.positionsByID = positionsByID
        self.territoryOwners = territoryOwners
        // Up to a few hundred locations a scan is faster than any index.
        self.search = locations.count <= Self.scanThreshold ? .fullScan : search
        self.index = SpatialIndex(vectors: self.search == .spatialIndex ? vectors : [])
        self.maxRadius = radii.max() ?? 0
        self.activeCount = locations.count { $0.status == .active }
    }

    /// Below this many locations the spatial index is not built: scanning them is faster.
    static let scanThreshold = 256

    /// Higher priority first, then id: the order among locations that are otherwise equal.
    static func prefers(_ lhs: Location, over rhs: Location) -> Bool {
        lhs.priority != rhs.priority ? lhs.priority > rhs.priority : lhs.id < rhs.id
    }

    private static func point(of location: Location, directory: PostalDirectory) -> Coordinate? {
        if let coordinate = location.coordinate, coordinate.isValid { return coordinate }
        return location.postalCode.flatMap { directory.point(for: $0) }
    }

    private static func validate(_ location: Location) throws(RoutingError) {
        let capacity = location.capacity
        func fail(_ message: String) -> RoutingError {
            RoutingError(code: .invalidCapacity, locationID: location.id, message: message)
        }
        if let daily = capacity.daily, daily < 0 { throw fail("daily capacity is negative") }
        if let weekly = capacity.weekly, weekly < 0 { throw fail("weekly capacity is negative") }
        if capacity.reservedForHot < 0 { throw fail("slots reserved for hot leads are negative") }
        if let daily = capacity.daily, capacity.reservedForHot > daily {
            throw fail("reserves \(capacity.reservedForHot) slots for hot leads but takes only \(daily) a day")
        }
        if let radius = location.radiusMiles, !(radius > 0 && radius.isFinite) {
            throw fail("radius must be a positive number of miles")
        }
    }

    /// The locations within `miles` of a point (a unit vector), nearest first (then by id), with their squared
    /// chord distances (see ``Coordinate/distanceMiles(chordSquared:)``).
    func locations(within miles: Double, of point: SIMD3<Double>) -> [(position: Int, chordSquared: Double)] {
        let limit = Coordinate.chord(forMiles: miles)
        let limitSquared = limit * limit
        var found: [(position: Int, chordSquared: Double)] = []
        found.reserveCapacity(64)
        switch search {
        case .spatialIndex:
            index.forEach(within: miles, of: point) { position in
                let chordSquared = self.chordSquared(from: point, to: position)
                if chordSquared <= limitSquared { found.append((position, chordSquared)) }
            }
        case .fullScan:
            // For unit vectors the squared chord is 2 − 2·(dot product).
            let minimumDot = 1 - limitSquared / 2
            xs.withUnsafeBufferPointer { xs in
                ys.withUnsafeBufferPointer { ys in
                    zs.withUnsafeBufferPointer { zs in
                        for position in 0..<xs.count {
                            let dot = point.x * xs[position] + point.y * ys[position] + point.z * zs[position]
                            if dot >= minimumDot { found.append((position, max(0, 2 - 2 * dot))) }
                        }
                    }
                }
            }
        }
        found.sort {
            $0.chordSquared != $1.chordSquared ? $0.chordSquared < $1.chordSquared : ids[$0.position] < ids[$1.position]
        }
        return found
    }

    /// The squared chord between a unit vector and a location, computed as the scan computes it.
    func chordSquared(from point: SIMD3<Double>, to position: Int) -> Double {
        max(0, 2 - 2 * (point.x * xs[position] + point.y * ys[position] + point.z * zs[position]))
    }

    /// The position of the nearest active location to a point (a unit vector), if any.
    func nearestActive(to point: SIMD3<Double>) -> Int? {
        switch search {
        case .spatialIndex:
            return index.nearest(to: point) { statuses[$0] == .active }
        case .fullScan:
            return vectors.indices.filter { statuses[$0] == .active }.min {
                let lhs = chordSquared(from: point, to: $0)
                let rhs = chordSquared(from: point, to: $1)
                return lhs != rhs ? lhs < rhs : $0 < $1
            }
        }
    }
}
