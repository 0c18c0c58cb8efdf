import Foundation
import OpenAPIRuntime

/// Holds the agency credentials and the location tokens minted from them, refreshing and minting as needed.
///
/// Location tokens (`POST /oauth/locationToken`) are cached until a minute before they expire; concurrent callers
/// for the same location share one mint.
actor TokenStore {
    private var agency: AgencyCredentials
    private let companyID: String
    /// A client without the auth middleware (the token calls carry their own credentials).
    private let tokenClient: Client
    private let onRefresh: @Sendable (OAuthCredentials) async -> Void
    private let now: @Sendable () -> Date
    private var locationTokens: [String: (token: String, expiresAt: Date)] = [:]
    private var minting: [String: Task<(token: String, expiresAt: Date), any Error>] = [:]
    private var refreshing: Task<OAuthCredentials, any Error>?

    init(
        agency: AgencyCredentials,
        companyID: String,
        tokenClient: Client,
        onRefresh: @escaping @Sendable (OAuthCredentials) async -> Void,
        now: @escaping @Sendable () -> Date
    ) {
        self.agency = agency
        self.companyID = companyID
        self.tokenClient = tokenClient
        self.onRefresh = onRefresh
        self.now = now
    }

    /// The bearer token for a scope.
    func token(for scope: RequestScope) async throws -> String? {
        switch scope {
        case .unauthenticated: return nil
        case .agency: return try await agencyToken()
        case .location(let id): return try await locationToken(for: id)
        }
    }

    /// Forgets a token GHL refused (401), so that the next call gets a fresh one.
    func invalidate(_ scope: RequestScope) {
        switch scope {
        case .unauthenticated: break
        case .agency:
            if case .oauth(var credentials) = agency {
                credentials.expiresAt = .distantPast
                agency = .oauth(credentials)
            }
        case .location(let id): locationTokens[id] = nil
        }
    }

    func agencyToken() async throws -> String {
        switch agency {
        case .privateIntegration(let token):
            return token
        case .oauth(let credentials):
            if credentials.expiresAt.timeIntervalSince(now()) > 60 { return credentials.accessToken }
            return try await refreshAgency(credentials).accessToken
        }
    }

    private func refreshAgency(_ credentials: OAuthCredentials) async throws -> OAuthCredentials {
        if let refreshing { return try await refreshing.value }
        let task = Task { [tokenClient, now] in
            let output = try await tokenClient.getAccessToken(
                body: .urlEncodedForm(
                    .init(
                        clientId: credentials.clientID,
                        clientSecret: credentials.clientSecret,
                        grantType: .refreshToken,
                        refreshToken: credentials.refreshToken,
                        userType: .company
                    )
                )
            )
            let body = try output.ok.body.json
            guard let access = body.accessToken, let refresh = body.refreshToken else {
                throw HighLevelError(
                    code: .credentials,
                    message: "the token refresh answered without tokens",
                    operation: "get-access-token",
                    isRetryable: false
                )
            }
            return OAuthCredentials(
                clientID: credentials.clientID,
                clientSecret: credentials.clientSecret,
                accessToken: access,
                refreshToken: refresh,
                expiresAt: now().addingTimeInterval(body.expiresIn ?? 3600)
            )
        }
        refreshing = task
        defer { refreshing = nil }
        let refreshed = try await task.value
        agency = .oauth(refreshed)
        await onRefresh(refreshed)
        return refreshed
    }

    private func locationToken(for locationID: String) async throws -> String {
        if let cached = locationTokens[locationID], cached.expiresAt.timeIntervalSince(now()) > 60 {
            return cached.token
        }
        if let pending = minting[locationID] { return try await pending.value.token }
        let agencyToken = try await agencyToken()
        let task = Task { [tokenClient, companyID, now] () async throws -> (token: String, expiresAt: Date) in
            let output = try await AgencyTokenMiddleware.$token.withValue(agencyToken) {
                try await tokenClient.getLocationAccessToken(
                    headers: .init(version: ._20210728),
                    body: .urlEncodedForm(.init(companyId: companyID, locationId: locationID))
                )
            }
            let body = try output.ok.body.json
            guard let token = body.accessToken else {
                throw HighLevelError(
                    code: .credentials,
                    message: "minting a location token answered without a token",
                    operation: "get-location-access-token",
                    isRetryable: false
                )
            }
            return (token: token, expiresAt: now().addingTimeInterval(body.expiresIn ?? 86_400))
        }
        minting[locationID] = task
        defer { minting[locationID] = nil }
        let minted = try await task.value
        locationTokens[locationID] = minted
        return minted.token
    }
}
