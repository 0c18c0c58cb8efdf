import LeadRouting
import ReferenceGeodata
import Testing

@Suite("The shipped reference geodata")
struct ReferenceDataTests {
    @Test("all US ZCTAs and Canadian FSAs load, with the documented spot checks")
    func loads() throws {
        let directory = try PostalDirectory.reference()
        #expect(directory.zipCount == 33_791)
        #expect(directory.fsaCount == 1_650)
        let nyc = try #require(directory.point(for: .usZIP("10001")))
        #expect(abs(nyc.latitude - 40.750649) < 1e-6 && abs(nyc.longitude - -73.997298) < 1e-6)
        let beverlyHills = try #require(directory.point(for: .usZIP("90210")))
        #expect(abs(beverlyHills.latitude - 34.100517) < 1e-6)
        let toronto = try #require(directory.point(for: .canadianFSA("M5V")))
        #expect(abs(toronto.latitude - 43.6404) < 1e-4)
        #expect(directory.point(for: .usZIP("00000")) == nil)
        #expect(directory.point(for: .canadianFSA("H0H")) == nil, "Santa's H0H is removed from the data")
    }

    @Test("the 3-digit area of a ZIP is the mean of its known ZIPs")
    func areaMeans() throws {
        let directory = try PostalDirectory.reference()
        let area = try #require(directory.areaPoint(forZIP: "78799"))
        let austin = try #require(directory.point(for: .usZIP("78701")))
        #expect(area.distanceMiles(to: austin) < 60)
        #expect(directory.areaPoint(forZIP: "00099") == nil, "no ZIPs start with 000")
    }

    @Test("a damaged file is reported with its line")
    func damaged() {
        let csv = Array("zip,lat,lon\n10001,40.75,-73.99\n10002,north,-73.98\n".utf8)
        #expect {
            try PostalDirectory(usZIPCSV: csv, canadianFSACSV: Array("fsa,lat,lon\n".utf8))
        } throws: { error in
            (error as? PostalDirectory.LoadError)?.line == 3
        }
    }
}
