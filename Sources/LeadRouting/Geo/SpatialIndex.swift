import Foundation

/// A static k-d tree over points on the sphere, for "everything within R miles" and "nearest" queries.
///
/// Points are stored as unit vectors, where straight-line (chord) distance grows with great-circle distance, so
/// the usual axis-aligned pruning is exact; there is no seam at the antimeridian or trouble near the poles.
struct SpatialIndex: Sendable {
    private struct Node: Sendable {
        var vector: SIMD3<Double>
        var item: Int
    }

    /// The nodes in implicit-tree order: the median of each range is its root.
    private var nodes: [Node]
    /// The splitting axis of the node at the same position.
    private var axes: [UInt8]

    /// Builds the tree over `points`; query results are positions in this array.
    init(points: [Coordinate]) {
        var nodes = points.enumerated().map { Node(vector: Self.unitVector($0.element), item: $0.offset) }
        var axes = Array(repeating: UInt8(0), count: nodes.count)
        Self.build(&nodes, &axes, range: 0..<nodes.count)
        self.nodes = nodes
        self.axes = axes
    }

    /// Calls `body` with the position and squared chord distance of every point within `miles` of `center`.
    func forEach(within miles: Double, of center: Coordinate, _ body: (Int) -> Void) {
        guard !nodes.isEmpty else { return }
        let limit = Self.chord(forMiles: miles)
        let query = Self.unitVector(center)
        visit(range: 0..<nodes.count, query: query, limitSquared: limit * limit, body)
    }

    /// The position of the point nearest to `center` among those `isIncluded` accepts, if any.
    func nearest(to center: Coordinate, where isIncluded: (Int) -> Bool) -> Int? {
        var best: (item: Int, distanceSquared: Double)?
        nearest(range: 0..<nodes.count, query: Self.unitVector(center), best: &best, isIncluded)
        return best?.item
    }

    private func visit(range: Range<Int>, query: SIMD3<Double>, limitSquared: Double, _ body: (Int) -> Void) {
        guard !range.isEmpty else { return }
        let middle = range.lowerBound + range.count / 2
        let node = nodes[middle]
        let offset = query - node.vector
        if (offset * offset).sum() <= limitSquared { body(node.item) }
        let axis = Int(axes[middle])
        let delta = offset[axis]
        if delta <= 0 || delta * delta <= limitSquared {
            visit(range: range.lowerBound..<middle, query: query, limitSquared: limitSquared, body)
        }
        if delta >= 0 || delta * delta <= limitSquared {
            visit(range: (middle + 1)..<range.upperBound, query: query, limitSquared: limitSquared, body)
        }
    }

    private func nearest(
        range: Range<Int>,
        query: SIMD3<Double>,
        best: inout (item: Int, distanceSquared: Double)?,
        _ isIncluded: (Int) -> Bool
    ) {
        guard !range.isEmpty else { return }
        let middle = range.lowerBound + range.count / 2
        let node = nodes[middle]
        let offset = query - node.vector
        let distanceSquared = (offset * offset).sum()
        if distanceSquared < (best?.distanceSquared ?? .infinity), isIncluded(node.item) {
            best = (node.item, distanceSquared)
        }
        let delta = offset[Int(axes[middle])]
        let near = delta <= 0 ? range.lowerBound..<middle : (middle + 1)..<range.upperBound
        let far = delta <= 0 ? (middle + 1)..<range.upperBound : range.lowerBound..<middle
        nearest(range: near, query: query, best: &best, isIncluded)
        if delta * delta < (best?.distanceSquared ?? .infinity) {
            nearest(range: far, query: query, best: &best, isIncluded)
        }
    }

    private static func build(_ nodes: inout [Node], _ axes: inout [UInt8], range: Range<Int>) {
        guard range.count > 1 else { return }
        // Split on the axis with the widest spread.
        var low = SIMD3<Double>(repeating: .infinity)
        var high = SIMD3<Double>(repeating: -.infinity)
        for index in range {
            low = pointwiseMin(low, nodes[index].vector)
            high = pointwiseMax(high, nodes[index].vector)
        }
        let spread = high - low
        let axis = spread.x >= spread.y && spread.x >= spread.z ? 0 : (spread.y >= spread.z ? 1 : 2)
        nodes[range].sort { ($0.vector[axis], $0.item) < ($1.vector[axis], $1.item) }
        let middle = range.lowerBound + range.count / 2
        axes[middle] = UInt8(axis)
        build(&nodes, &axes, range: range.lowerBound..<middle)
        build(&nodes, &axes, range: (middle + 1)..<range.upperBound)
    }

    static func unitVector(_ point: Coordinate) -> SIMD3<Double> {
        let latitude = point.latitude * .pi / 180
        let longitude = point.longitude * .pi / 180
        return SIMD3(cos(latitude) * cos(longitude), cos(latitude) * sin(longitude), sin(latitude))
    }

    /// The chord length on the unit sphere for a great-circle distance, padded so rounding never drops a point
    /// that is exactly at the limit.
    static func chord(forMiles miles: Double) -> Double {
        let angle = min(Double.pi, max(0, miles) / Coordinate.earthRadiusMiles)
        return 2 * sin(angle / 2) + 1e-9
    }
}
