public import Foundation

/// Speed-to-lead kept as a histogram, so that percentiles over any number of leads come from a few hundred
/// counters: bin `i` holds durations in [1.1^i − 1, 1.1^(i+1) − 1) seconds, so a reported percentile is within
/// 5 % of the true one (and exact below a few seconds).
public enum SpeedBins {
    private static let growth = log(1.1)

    /// The bin of a duration in seconds.
    public static func bin(ofSeconds seconds: TimeInterval) -> Int {
        Int((log1p(max(0, seconds)) / growth).rounded(.down))
    }

    /// A representative duration for a bin: its geometric middle.
    public static func seconds(ofBin bin: Int) -> TimeInterval {
        let lower = exp(Double(bin) * growth) - 1
        let upper = exp(Double(bin + 1) * growth) - 1
        return max(0, (lower * upper).squareRoot())
    }

    /// The percentile (0…1) of counts by bin, as a duration in seconds; `nil` when there are none.
    public static func percentile(_ fraction: Double, of counts: [Int: Int]) -> TimeInterval? {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = max(1, Int((fraction * Double(total)).rounded(.up)))
        var seen = 0
        for bin in counts.keys.sorted() {
            seen += counts[bin] ?? 0
            if seen >= rank { return seconds(ofBin: bin) }
        }
        return nil
    }
}
