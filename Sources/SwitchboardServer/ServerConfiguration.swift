import Foundation
public import HighLevel
public import LeadRouting
public import LeadTracking

/// How the service runs: where it listens, the API token, webhook verification, routing policy and workers.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0 picks a free one).
    public var port: Int
    /// The bearer token of the admin and lead APIs.
    public var apiToken: String
    /// Keys and age limit for GHL webhook signatures.
    public var webhookVerification: WebhookVerifier.Configuration
    /// A GHL custom field id whose value is the postal code when a contact has no `postalCode`.
    public var postalCodeCustomFieldID: String?
    /// The routing policy.
    public var policy: RoutingPolicy
    /// How long a routing worker holds a job before another may take it.
    public var workerLease: Duration
    /// How often the routing worker looks for left-behind jobs.
    public var workerPollInterval: Duration
    /// Connections held open at once; one more is answered 503 and closed.
    public var maximumConnections: Int
    /// How long a connection may go without sending a complete request head (idle keep-alive, or headers sent a
    /// byte at a time) before it is closed.
    public var idleTimeout: Duration
    /// How long a request's body may take to arrive once its head has.
    public var bodyTimeout: Duration
    /// What GHL events prove a location worked a lead.
    public var workedRules: WorkedRules = .standard
    /// How long a location has to work a delivered lead before it is re-routed (needs delivery into GHL).
    public var sla: SLAPolicy = .off
    /// How often delivered leads of the last three days are read back from GHL's API (webhooks get lost); `nil`:
    /// never (needs delivery into GHL).
    public var reconcileInterval: Duration?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        apiToken: String,
        webhookVerification: WebhookVerifier.Configuration = WebhookVerifier.Configuration(),
        postalCodeCustomFieldID: String? = nil,
        policy: RoutingPolicy = RoutingPolicy(),
        workerLease: Duration = .seconds(30),
        workerPollInterval: Duration = .seconds(1),
        maximumConnections: Int = 4_096,
        idleTimeout: Duration = .seconds(30),
        bodyTimeout: Duration = .seconds(30)
    ) {
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.webhookVerification = webhookVerification
        self.postalCodeCustomFieldID = postalCodeCustomFieldID
        self.policy = policy
        self.workerLease = workerLease
        self.workerPollInterval = workerPollInterval
    }
}
