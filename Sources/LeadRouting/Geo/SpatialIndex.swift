import Foundation

/// A static k-d tree over points on the sphere, for "everything within R miles" and "nearest" queries.
///
/// Points are stored as unit vectors, where straight-line (chord) distance grows with great-circle distance, so
/// the usual axis-aligned pruning is exact; there is no seam at the antimeridian or trouble near the poles.
/// Ranges of up to ``leafSize`` points are leaves, scanned with a dot product, which beats descending further.
struct SpatialIndex: Sendable {
    private struct Node: Sendable {
        var vector: SIMD3<Double>
        var item: Int
    }

    /// The nodes in implicit-tree order: the median of each range is its root.
    private var nodes: [Node]
    /// The splitting axis of the node at the same position (unused in leaves).
    private var axes: [UInt8]
    private static let leafSize = 16

    /// Builds the tree over `vectors` (unit vectors); query results are positions in this array.
    init(vectors: [SIMD3<Double>]) {
        var nodes = vectors.enumerated().map { Node(vector: $0.element, item: $0.offset) }
        var axes = Array(repeating: UInt8(0), count: nodes.count)
        Self.build(&nodes, &axes, range: 0..<nodes.count)
        self.nodes = nodes
        self.axes = axes
    }

    /// Calls `body` with the position of every point within `miles` of `center` (a unit vector).
    func forEach(within miles: Double, of center: SIMD3<Double>, _ body: (Int) -> Void) {
        guard !nodes.isEmpty else { return }
        // Padded so that rounding never drops a point exactly at the limit; callers filter exactly.
        let limit = Coordinate.chord(forMiles: miles) + 1e-9
        visit(range: 0..<nodes.count, query: center, limitSquared: limit * limit, body)
    }

    /// The position of the point nearest to `center` (a unit vector) among those `isIncluded` accepts, if any.
    func nearest(to center: SIMD3<Double>, where isIncluded: (Int) -> Bool) -> Int? {
        var best: (item: Int, distanceSquared: Double)?
        nearest(range: 0..<nodes.count, query: center, best: &best, isIncluded)
        return best?.item
    }

    private func visit(range: Range<Int>, query: SIMD3<Double>, limitSquared: Double, _ body: (Int) -> Void) {
        if range.count <= Self.leafSize {
            for index in range {
                let offset = query - nodes[index].vector
                if (offset * offset).sum() <= limitSquared { body(nodes[index].item) }
            }
            return
        }
        let middle = range.lowerBound + range.count / 2
        let node = nodes[middle]
        let offset = query - node.vector
        if (offset * offset).sum() <= limitSquared { body(node.item) }
        let delta = offset[Int(axes[middle])]
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
        if range.count <= Self.leafSize {
            for index in range {
                let distanceSquared = Self.chordSquared(query, nodes[index].vector)
                if Self.isBetter(distanceSquared, nodes[index].item, than: best), isIncluded(nodes[index].item) {
                    best = (nodes[index].item, distanceSquared)
                }
            }
            return
        }
        let middle = range.lowerBound + range.count / 2
        let node = nodes[middle]
        let distanceSquared = Self.chordSquared(query, node.vector)
        if Self.isBetter(distanceSquared, node.item, than: best), isIncluded(node.item) {
            best = (node.item, distanceSquared)
        }
        let delta = query[Int(axes[middle])] - node.vector[Int(axes[middle])]
        let near = delta <= 0 ? range.lowerBound..<middle : (middle + 1)..<range.upperBound
        let far = delta <= 0 ? (middle + 1)..<range.upperBound : range.lowerBound..<middle
        nearest(range: near, query: query, best: &best, isIncluded)
        // The small pad covers rounding in the dot-product form of the distance.
        if delta * delta <= (best?.distanceSquared ?? .infinity) + 1e-12 {
            nearest(range: far, query: query, best: &best, isIncluded)
        }
    }

    /// The squared chord between unit vectors, in the same form and order as the location table computes it.
    private static func chordSquared(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        max(0, 2 - 2 * (a.x * b.x + a.y * b.y + a.z * b.z))
    }

    /// Nearer wins; at the same distance the lower position does, so results never depend on the tree's shape.
    private static func isBetter(
        _ distanceSquared: Double,
        _ item: Int,
        than best: (item: Int, distanceSquared: Double)?
    )
        -> Bool
    {
        guard let best else { return true }
        return distanceSquared != best.distanceSquared ? distanceSquared < best.distanceSquared : item < best.item
    }

    private static func build(_ nodes: inout [Node], _ axes: inout [UInt8], range: Range<Int>) {
        guard range.count > leafSize else { return }
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
}
