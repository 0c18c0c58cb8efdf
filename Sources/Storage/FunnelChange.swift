import Foundation
import LeadTracking

/// What one attempt adds to the funnel aggregates of its group: its counts, and the histogram bins of its speed to
/// lead (open-hours seconds from delivery to the first human touch) and of the lead's wait (seconds from arrival
/// to that touch).
struct FunnelContribution: Equatable {
    var counts: FunnelCounts
    var speedBin: Int?
    var waitBin: Int?

    init(progress: AttemptProgress, speedSeconds: Double?, arrivedAt: Date) {
        counts = FunnelCounts(progress: progress)
        speedBin = speedSeconds.map(SpeedBins.bin(ofSeconds:))
        waitBin = progress.firstTouchAt.map { SpeedBins.bin(ofSeconds: $0.timeIntervalSince(arrivedAt)) }
    }

    init(_ attempt: AttemptRecord) {
        self.init(progress: attempt.progress, speedSeconds: attempt.speedSeconds, arrivedAt: attempt.arrivedAt)
    }
}

/// A change to one group's aggregates: counts to add, and leads to move between histogram bins.
struct FunnelChange {
    var counts = FunnelCounts()
    var speed: [Int: Int] = [:]
    var wait: [Int: Int] = [:]

    /// From an attempt's old contribution (`nil`: it is new) to its new one.
    init(from old: FunnelContribution?, to new: FunnelContribution) {
        counts = new.counts - (old?.counts ?? FunnelCounts())
        Self.move(&speed, from: old?.speedBin, to: new.speedBin)
        Self.move(&wait, from: old?.waitBin, to: new.waitBin)
    }

    private static func move(_ bins: inout [Int: Int], from old: Int?, to new: Int?) {
        guard old != new else { return }
        if let old { bins[old, default: 0] -= 1 }
        if let new { bins[new, default: 0] += 1 }
    }

    var isEmpty: Bool { counts.isZero && speed.isEmpty && wait.isEmpty }
    var changesHistograms: Bool { !speed.isEmpty || !wait.isEmpty }

    /// A stored histogram with this change's moves applied.
    static func apply(_ moves: [Int: Int], to stored: [UInt8]?) -> [UInt8] {
        guard !moves.isEmpty else { return stored ?? [] }
        var counts = SpeedBins.decode(stored ?? [])
        for (bin, change) in moves { counts[bin, default: 0] += change }
        return SpeedBins.encode(counts)
    }
}

/// Funnel rows summed by key, from aggregate rows read in any order.
struct FunnelTotals {
    private var order: [String] = []
    private var counts: [String: FunnelCounts] = [:]
    private var speed: [String: [Int]] = [:]
    private var wait: [String: [Int]] = [:]

    /// Adds one aggregate row (a group's day or month).
    mutating func add(key: String, counts rowCounts: FunnelCounts, speed rowSpeed: [UInt8]?, wait rowWait: [UInt8]?) {
        if counts[key] == nil {
            order.append(key)
            counts[key] = rowCounts
            speed[key] = [Int](repeating: 0, count: SpeedBins.count)
            wait[key] = [Int](repeating: 0, count: SpeedBins.count)
        } else {
            counts[key]! = counts[key]! + rowCounts
        }
        if let rowSpeed, !rowSpeed.isEmpty { SpeedBins.add(encoded: rowSpeed, to: &speed[key]!) }
        if let rowWait, !rowWait.isEmpty { SpeedBins.add(encoded: rowWait, to: &wait[key]!) }
    }

    /// The rows, by key, leaving out groups where nothing was delivered.
    var rows: [FunnelRow] {
        order.sorted().compactMap { key in
            guard let total = counts[key], !total.isZero else { return nil }
            return FunnelRow(
                key: key,
                counts: total,
                speedBins: SpeedBins.counts(of: speed[key]!),
                waitBins: SpeedBins.counts(of: wait[key]!)
            )
        }
    }
}
