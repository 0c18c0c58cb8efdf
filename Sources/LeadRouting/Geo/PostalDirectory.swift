/// Where postal codes are: a table from US ZIP codes and Canadian FSAs to their centroid points.
///
/// Built once from the reference CSV files (see `ReferenceGeodata`) and then read-only; lookups are array indexing.
public struct PostalDirectory: Sendable {
    /// For each ZIP 00000–99999, the index of its point in `zipPoints`, or -1.
    private var zipSlots: [Int32]
    private var zipPoints: [Coordinate]
    /// For each FSA (26 × 10 × 26 slots), the index of its point in `fsaPoints`, or -1.
    private var fsaSlots: [Int32]
    private var fsaPoints: [Coordinate]
    /// The mean point of the ZIPs sharing each 3-digit prefix, for the opt-in approximation.
    private var zipAreaMeans: [Coordinate?]

    /// The number of US ZIP codes known.
    public var zipCount: Int { zipPoints.count }
    /// The number of Canadian FSAs known.
    public var fsaCount: Int { fsaPoints.count }

    /// An empty directory; add codes with ``insert(_:at:)``.
    public init() {
        zipSlots = Array(repeating: -1, count: 100_000)
        zipPoints = []
        fsaSlots = Array(repeating: -1, count: 26 * 10 * 26)
        fsaPoints = []
        zipAreaMeans = Array(repeating: nil, count: 1000)
    }

    /// Adds (or replaces) the point of a postal code.
    public mutating func insert(_ code: PostalCode, at point: Coordinate) {
        switch code {
        case .usZIP(let zip):
            let slot = Self.zipSlot(zip)
            if zipSlots[slot] >= 0 {
                zipPoints[Int(zipSlots[slot])] = point
            } else {
                zipSlots[slot] = Int32(zipPoints.count)
                zipPoints.append(point)
            }
            recomputeAreaMean(prefix: slot / 100)
        case .canadianFSA(let fsa):
            let slot = Self.fsaSlot(fsa)
            if fsaSlots[slot] >= 0 {
                fsaPoints[Int(fsaSlots[slot])] = point
            } else {
                fsaSlots[slot] = Int32(fsaPoints.count)
                fsaPoints.append(point)
            }
        }
    }

    /// The centroid of a postal code, or `nil` when the code is not in the directory.
    public func point(for code: PostalCode) -> Coordinate? {
        switch code {
        case .usZIP(let zip):
            let index = zipSlots[Self.zipSlot(zip)]
            return index >= 0 ? zipPoints[Int(index)] : nil
        case .canadianFSA(let fsa):
            let index = fsaSlots[Self.fsaSlot(fsa)]
            return index >= 0 ? fsaPoints[Int(index)] : nil
        }
    }

    /// The mean point of the known ZIPs that share a US ZIP's first three digits (its sectional centre), if any.
    public func areaPoint(forZIP zip: String) -> Coordinate? {
        zipAreaMeans[Self.zipSlot(zip) / 100]
    }

    private mutating func recomputeAreaMean(prefix: Int) {
        var latitude = 0.0
        var longitude = 0.0
        var count = 0
        for slot in (prefix * 100)..<(prefix * 100 + 100) where zipSlots[slot] >= 0 {
            let point = zipPoints[Int(zipSlots[slot])]
            latitude += point.latitude
            longitude += point.longitude
            count += 1
        }
        zipAreaMeans[prefix] =
            count == 0 ? nil : Coordinate(latitude: latitude / Double(count), longitude: longitude / Double(count))
    }

    /// 00000–99999 as a number (the caller passes a normalised ZIP).
    private static func zipSlot(_ zip: String) -> Int {
        var zip = zip
        return zip.withUTF8 { bytes in
            bytes.reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
        }
    }

    /// A normalised FSA (letter, digit, letter) as a number below 26 × 10 × 26.
    private static func fsaSlot(_ fsa: String) -> Int {
        var fsa = fsa
        return fsa.withUTF8 { bytes in
            let first = Int(bytes[0] &- UInt8(ascii: "A"))
            let digit = Int(bytes[1] &- UInt8(ascii: "0"))
            let last = Int(bytes[2] &- UInt8(ascii: "A"))
            return (first * 10 + digit) * 26 + last
        }
    }
}

extension PostalDirectory {
    /// Builds a directory from centroid CSV files: a header line, then `code,lat,lon[,…]` rows.
    ///
    /// The parser works on raw bytes, since it runs at every start-up; extra columns are ignored.
    /// - Throws: ``PostalDirectory/LoadError`` naming the file and line of the first bad row.
    public init(usZIPCSV: some Collection<UInt8>, canadianFSACSV: some Collection<UInt8>) throws(LoadError) {
        self.init()
        try Self.parseCentroids(usZIPCSV, file: "us-zip-centroids.csv") { code, point in
            guard code.count == 5, code.allSatisfy(\.isASCIIDigit) else { return false }
            let slot = Self.zipSlot(String(decoding: code, as: UTF8.self))
            zipSlots[slot] = Int32(zipPoints.count)
            zipPoints.append(point)
            return true
        }
        try Self.parseCentroids(canadianFSACSV, file: "ca-fsa-centroids.csv") { code, point in
            guard let fsa = PostalCode(parsing: String(decoding: code, as: UTF8.self)), case .canadianFSA = fsa
            else { return false }
            fsaSlots[Self.fsaSlot(fsa.text)] = Int32(fsaPoints.count)
            fsaPoints.append(point)
            return true
        }
        for prefix in 0..<1000 { recomputeAreaMean(prefix: prefix) }
    }

    /// Why the reference data could not be read.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String
        public init(file: String, line: Int, reason: String) {
            self.file = file
            self.line = line
            self.reason = reason
        }
        public var description: String { "\(file):\(line): \(reason)" }
    }

    private static func parseCentroids(
        _ data: some Collection<UInt8>,
        file: String,
        add: (ArraySlice<UInt8>, Coordinate) -> Bool
    ) throws(LoadError) {
        let bytes = Array(data)
        var line = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            line += 1
            var row = bytes[start..<end]
            start = end + 1
            if row.last == UInt8(ascii: "\r") { row = row.dropLast() }
            if line == 1 || row.isEmpty { continue }
            let fields = row.split(separator: UInt8(ascii: ","), maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3,
                let latitude = parseDecimal(fields[1]), let longitude = parseDecimal(fields[2])
            else {
                throw LoadError(file: file, line: line, reason: "expected code,lat,lon")
            }
            let point = Coordinate(latitude: latitude, longitude: longitude)
            guard point.isValid, add(fields[0], point) else {
                throw LoadError(file: file, line: line, reason: "bad code or coordinates")
            }
        }
    }

    /// Parses `-?digits(.digits)?` without going through `String`.
    private static func parseDecimal(_ bytes: ArraySlice<UInt8>) -> Double? {
        var index = bytes.startIndex
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var mantissa: Int64 = 0
        var scale = 1.0
        var digits = 0
        var seenPoint = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
            } else if byte.isASCIIDigit {
                guard digits < 17 else { return nil }
                mantissa = mantissa * 10 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
                if seenPoint { scale *= 10 }
            } else {
                return nil
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        let value = Double(mantissa) / scale
        return negative ? -value : value
    }
}
