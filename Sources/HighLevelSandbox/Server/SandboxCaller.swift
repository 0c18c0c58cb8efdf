/// Who is calling the sandbox: set by ``SandboxAuthMiddleware`` from the bearer token, read by the handlers.
enum SandboxCaller {
    @TaskLocal static var current: SandboxState.Caller?

    /// Requires the agency token.
    static func requireAgency() throws(SandboxFailure) {
        guard current == .agency else {
            throw .unauthorized("This route requires an Agency access token")
        }
    }

    /// Requires a location token for `locationID` (GHL scopes sub-account tokens to their sub-account).
    static func requireLocation(_ locationID: String) throws(SandboxFailure) {
        switch current {
        case .location(let id) where id == locationID: return
        case .location: throw .forbidden("The token does not have access to this location")
        default: throw .unauthorized("This route requires a Sub-Account access token")
        }
    }

    /// Agency, or a location token for `locationID`.
    static func requireAgencyOrLocation(_ locationID: String) throws(SandboxFailure) {
        if current == .agency { return }
        try requireLocation(locationID)
    }
}
