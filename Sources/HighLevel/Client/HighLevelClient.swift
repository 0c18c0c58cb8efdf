import AsyncHTTPClient
public import Foundation
public import Logging
import OpenAPIAsyncHTTPClient
public import OpenAPIRuntime

/// The GHL API (LeadConnector v2) in Switchboard's terms: sub-accounts, custom values and fields, snapshots,
/// contacts, opportunities and workflows.
///
/// Every call carries the right token (agency, or a location token minted and cached per location), waits its
/// turn in its resource's rate limiter, is retried when that is safe, and fails with a ``HighLevelError``.
/// The generated code (from GHL's official specs) stays internal to this module.
public struct HighLevelClient: Sendable {
    /// Where GHL is and who we are there.
    public struct Configuration: Sendable {
        /// `https://services.leadconnectorhq.com` for the real GHL; the sandbox's URL in demos and tests.
        public var baseURL: URL
        /// The agency (company) id.
        public var companyID: String
        public var credentials: AgencyCredentials
        public var retry: RetryPolicy
        /// Calls per interval per resource until GHL's headers say otherwise.
        public var rateLimit: Int
        public var rateLimitInterval: Duration

        public init(
            baseURL: URL = URL(string: "https://services.leadconnectorhq.com")!,
            companyID: String,
            credentials: AgencyCredentials,
            retry: RetryPolicy = RetryPolicy(),
            rateLimit: Int = 100,
            rateLimitInterval: Duration = .seconds(10)
        ) {
            self.baseURL = baseURL
            self.companyID = companyID
            self.credentials = credentials
            self.retry = retry
            self.rateLimit = rateLimit
            self.rateLimitInterval = rateLimitInterval
        }
    }

    public let configuration: Configuration
    /// The per-resource rate limiters (shared by every copy of this client).
    public let limiters: RateLimiters
    let client: Client
    private let tokens: TokenStore

    /// - Parameters:
    ///   - transport: How requests are sent; AsyncHTTPClient (shared event loop group) by default.
    ///   - onCredentialsRefreshed: Called with the new OAuth token pair after each refresh; persist it, since the
    ///     old refresh token no longer works.
    ///   - now: The clock for token expiry.
    public init(
        configuration: Configuration,
        transport: (any ClientTransport)? = nil,
        logger: Logger = Logger(label: "switchboard.ghl"),
        onCredentialsRefreshed: @escaping @Sendable (OAuthCredentials) async -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        let transport = transport ?? AsyncHTTPClientTransport()
        let limiters = RateLimiters(max: configuration.rateLimit, interval: configuration.rateLimitInterval)
        self.limiters = limiters
        let shared: [any ClientMiddleware] = [
            LoggingMiddleware(logger: logger),
            ErrorMiddleware(),
            RetryMiddleware(policy: configuration.retry),
            RateLimitMiddleware(limiters: limiters),
        ]
        let tokenClient = Client(
            serverURL: configuration.baseURL,
            transport: transport,
            middlewares: shared + [AgencyTokenMiddleware()]
        )
        let tokens = TokenStore(
            agency: configuration.credentials,
            companyID: configuration.companyID,
            tokenClient: tokenClient,
            onRefresh: onCredentialsRefreshed,
            now: now
        )
        self.tokens = tokens
        self.client = Client(
            serverURL: configuration.baseURL,
            transport: transport,
            middlewares: shared + [AuthMiddleware(tokens: tokens)]
        )
    }

    /// Runs one generated call, mapping every failure to ``HighLevelError``.
    func call<Result: Sendable>(
        _ operation: String,
        location: String? = nil,
        _ body: @Sendable () async throws -> Result
    ) async throws(HighLevelError) -> Result {
        do {
            return try await RequestScope.$locationID.withValue(location) { try await body() }
        } catch let error as HighLevelError {
            throw error
        } catch let error as ClientError {
            if let underlying = error.unwrappedFromClientErrors as? HighLevelError { throw underlying }
            throw HighLevelError(
                code: .unexpectedResponse,
                message: String(describing: error.unwrappedFromClientErrors),
                operation: operation,
                isRetryable: false
            )
        } catch {
            throw HighLevelError(
                code: .unexpectedResponse,
                message: String(describing: error),
                operation: operation,
                isRetryable: false
            )
        }
    }

    static func unexpected(_ operation: String, _ detail: String) -> HighLevelError {
        HighLevelError(code: .unexpectedResponse, message: detail, operation: operation, isRetryable: false)
    }
}
