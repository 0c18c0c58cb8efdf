public import Foundation

/// How Switchboard authenticates as the agency.
public enum AgencyCredentials: Sendable, Hashable {
    /// A Private Integration token of the agency: used as it is, never refreshed.
    case privateIntegration(token: String)
    /// An OAuth company token with its refresh token. Every refresh returns a new refresh token, which is handed
    /// to ``HighLevelClient``'s `onCredentialsRefreshed` to persist.
    case oauth(OAuthCredentials)
}

/// An OAuth token pair and the app it belongs to.
public struct OAuthCredentials: Sendable, Hashable, Codable {
    public var clientID: String
    public var clientSecret: String
    public var accessToken: String
    public var refreshToken: String
    /// When the access token expires.
    public var expiresAt: Date

    public init(clientID: String, clientSecret: String, accessToken: String, refreshToken: String, expiresAt: Date) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
    }
}

extension OAuthCredentials: CustomStringConvertible {
    /// Never prints the secrets.
    public var description: String { "OAuthCredentials(clientID: \(clientID), expiresAt: \(expiresAt))" }
}
