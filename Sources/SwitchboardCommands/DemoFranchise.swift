import Foundation
import LeadRouting
import RoutingFiles

/// The demo franchise `serve` loads on the embedded default when no `--demo-locations` file is given: 25 gyms in 5
/// states, shipped inside the binary's resources (the same rows as `examples/franchise-25.csv`), so that `serve`
/// runs from any directory.
enum DemoFranchise {
    /// The locations file's text.
    static var text: String {
        get throws {
            guard let url = Bundle.module.url(forResource: "Resources/franchise-25", withExtension: "csv") else {
                throw CommandFailure("the built-in demo franchise is missing from the installation's resources")
            }
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    /// The demo franchise, read as a locations file.
    static func locations(directory: PostalDirectory) throws -> LocationsFile {
        try LocationsFile(text: try text, file: "the built-in demo franchise (franchise-25.csv)", directory: directory)
    }
}
