/// Which credentials and which rate-limit budget a GHL operation uses.
enum RequestScope: Sendable, Hashable {
    /// No token (the OAuth token endpoint itself).
    case unauthenticated
    /// The agency (company) token and the company's budget.
    case agency
    /// A location token and that location's budget.
    case location(String)

    /// The location the current call is for; set by ``HighLevelClient`` around each location-scoped call.
    @TaskLocal static var locationID: String?

    /// The scope of an operation, from GHL's security requirements for it (Specs/generated): agency-only
    /// operations, the token endpoint, and everything else per location.
    static func of(operationID: String) -> RequestScope {
        switch operationID {
        case "get-access-token":
            return .unauthenticated
        case "create-location", "get-location", "put-location", "delete-location", "search-locations",
            "get-custom-snapshots", "get-latest-snapshot-push", "get-location-access-token":
            return .agency
        default:
            return locationID.map(RequestScope.location) ?? .agency
        }
    }

    /// The key of the rate-limit budget this scope draws on.
    var budgetKey: String {
        switch self {
        case .unauthenticated, .agency: "company"
        case .location(let id): "location:\(id)"
        }
    }
}
