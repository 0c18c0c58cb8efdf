/// A call to GHL that did not succeed: what GHL said, and whether trying again can help.
public struct HighLevelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; stable, for callers that decide what to do next.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// GHL answered with an error status (see `status`).
        public static let httpStatus = Code("httpStatus")
        /// The request did not get an answer: connection refused, reset, timed out.
        public static let transport = Code("transport")
        /// GHL answered 2xx with a body the client does not understand.
        public static let unexpectedResponse = Code("unexpectedResponse")
        /// No usable credentials: no agency token, or minting a location token failed.
        public static let credentials = Code("credentials")
        /// The day's call budget for the resource is used up (`X-RateLimit-Daily-Remaining: 0`).
        public static let dailyLimitReached = Code("dailyLimitReached")
        /// The call was never sent: the service began shutting down while it waited for the rate limiter.
        public static let notSent = Code("notSent")
    }

    public var code: Code
    /// The HTTP status, when GHL answered.
    public var status: Int?
    /// GHL's message (its error bodies carry `message`, sometimes a list of them).
    public var message: String
    /// GHL's `traceId`, to quote to GHL support.
    public var traceID: String?
    /// The operation, e.g. `upsert-contact`.
    public var operation: String
    /// Whether the same call may succeed if tried again later (5xx, 408, 429, transport errors).
    public var isRetryable: Bool

    public init(
        code: Code,
        status: Int? = nil,
        message: String,
        traceID: String? = nil,
        operation: String,
        isRetryable: Bool
    ) {
        self.code = code
        self.status = status
        self.message = message
        self.traceID = traceID
        self.operation = operation
        self.isRetryable = isRetryable
    }

    /// Whether a status is worth retrying: server errors, request timeouts and throttling.
    public static func isRetryable(status: Int) -> Bool {
        status >= 500 || status == 408 || status == 429
    }

    public var description: String {
        var text = "GHL \(operation) failed"
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        if let traceID { text += " [traceId \(traceID)]" }
        return text
    }
}
