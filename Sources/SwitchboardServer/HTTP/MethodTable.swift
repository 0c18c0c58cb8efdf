import Foundation

/// Which methods each path of the API takes, read from the OpenAPI document the server serves — so that a
/// request with a method a path does not take is answered `405` with `Allow`, from the same contract.
struct MethodTable: Sendable {
    private var templates: [(segments: [String], methods: [String])]

    /// The table of the served OpenAPI document (empty if it cannot be read).
    static let served: MethodTable = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let paths = document["paths"] as? [String: Any]
        else { return MethodTable(templates: []) }
        let verbs = ["get", "put", "post", "delete", "patch", "head", "options"]
        return MethodTable(
            templates: paths.map { path, item in
                let methods = ((item as? [String: Any]) ?? [:]).keys.filter { verbs.contains($0) }.map {
                    $0.uppercased()
                }
                return (segments(of: path), methods.sorted())
            }
        )
    }()

    /// The methods a concrete path takes, or `nil` when no path of the API matches it.
    func methods(for path: String) -> [String]? {
        let given = Self.segments(of: path)
        let matching = templates.filter { template in
            template.segments.count == given.count
                && zip(template.segments, given).allSatisfy { pattern, segment in
                    pattern.hasPrefix("{") || pattern == segment
                }
        }
        guard !matching.isEmpty else { return nil }
        return Array(Set(matching.flatMap(\.methods))).sorted()
    }

    private static func segments(of path: String) -> [String] {
        path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
    }
}
