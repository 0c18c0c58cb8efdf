import Foundation
public import LeadRouting

extension PostalDirectory {
    /// The shipped reference data: 33,791 US ZCTA centroids (U.S. Census Bureau, 2023 Gazetteer) and 1,650
    /// Canadian FSA centroids (GeoNames, CC BY 4.0). Loaded on first use, once per process.
    /// - Throws: ``PostalDirectory/LoadError`` when the resource files are missing or damaged.
    public static func reference() throws(LoadError) -> PostalDirectory {
        try referenceResult.get()
    }

    private static let referenceResult: Result<PostalDirectory, LoadError> = Result { () throws(LoadError) in
        try PostalDirectory(
            usZIPCSV: try resource("us-zip-centroids.csv"),
            canadianFSACSV: try resource("ca-fsa-centroids.csv")
        )
    }

    /// Reads the reference files afresh, bypassing the per-process copy (for measuring the load).
    public static func loadReference() throws(LoadError) -> PostalDirectory {
        try PostalDirectory(
            usZIPCSV: try resource("us-zip-centroids.csv"),
            canadianFSACSV: try resource("ca-fsa-centroids.csv")
        )
    }

    private static func resource(_ name: String) throws(LoadError) -> Data {
        guard let url = Bundle.module.url(forResource: "Resources/\(name)", withExtension: nil),
            let data = try? Data(contentsOf: url)
        else {
            throw LoadError(file: name, line: 0, reason: "the reference data file is missing from the installation")
        }
        return data
    }
}
