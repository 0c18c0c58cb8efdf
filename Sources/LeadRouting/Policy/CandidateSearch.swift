/// How the engine finds the locations within reach of a lead.
public enum CandidateSearch: Sendable, Hashable {
    /// A k-d tree over the locations: the default, and what keeps decisions fast at 10,000 locations. Sets of a
    /// few hundred locations or fewer are scanned instead, which is faster there.
    case spatialIndex
    /// Measure every location: the brute-force baseline the index is compared with.
    case fullScan
}
