public import Foundation

/// Durations (speed-to-lead, a lead's wait) kept as histograms, so that percentiles over any number of leads come
/// from a few hundred counters: bin `i` holds durations in [1.1^i − 1, 1.1^(i+1) − 1) seconds, so a reported
/// percentile is within 5 % of the true one (and exact below a few seconds).
public enum SpeedBins {
    private static let growth = log(1.1)

    /// The number of bins; the last holds everything from about 1,100 years up.
    public static let count = 256

    /// The bin of a duration in seconds.
    public static func bin(ofSeconds seconds: TimeInterval) -> Int {
        min(count - 1, Int((log1p(max(0, seconds)) / growth).rounded(.down)))
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

    // MARK: Stored form

    /// Counts by bin as stored: for each bin with leads, in bin order, one byte for the bin and four for its
    /// count (little-endian). A histogram of a day's few leads takes a few bytes; a full one 1,280.
    public static func encode(_ counts: [Int: Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 5)
        for (bin, leads) in counts.sorted(by: { $0.key < $1.key }) where leads > 0 && (0..<count).contains(bin) {
            bytes.append(UInt8(bin))
            let value = UInt32(clamping: leads)
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        return bytes
    }

    /// Adds a stored histogram to `totals` (indexed by bin, ``count`` long). Trailing bytes that do not make a
    /// whole entry are ignored.
    public static func add(encoded bytes: [UInt8], to totals: inout [Int]) {
        bytes.withUnsafeBufferPointer { entries in
            totals.withUnsafeMutableBufferPointer { totals in
                var index = 0
                while index + 5 <= entries.count {
                    let value =
                        UInt32(entries[index + 1]) | UInt32(entries[index + 2]) << 8 | UInt32(entries[index + 3]) << 16
                        | UInt32(entries[index + 4]) << 24
                    totals[Int(entries[index])] += Int(value)
                    index += 5
                }
            }
        }
    }

    /// A stored histogram as counts by bin.
    public static func decode(_ bytes: [UInt8]) -> [Int: Int] {
        var totals = [Int](repeating: 0, count: count)
        add(encoded: bytes, to: &totals)
        return counts(of: totals)
    }

    /// Dense totals (indexed by bin) as counts by bin, without the empty bins.
    public static func counts(of totals: [Int]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for (bin, leads) in totals.enumerated() where leads != 0 { counts[bin] = leads }
        return counts
    }
}
