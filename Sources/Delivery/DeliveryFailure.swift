/// How a failed GHL call affects its delivery step.
public enum DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// 429: GHL is throttling. Try again after it says (or a short pause); the attempt is not counted.
    case throttled(retryAfter: Duration?)
    /// 408, 5xx, timeouts, connection errors: try again on the retry schedule.
    case transient(String)
    /// Any other 4xx (after the client's own token refresh on 401): the request itself is wrong. Dead-letter at
    /// once, with GHL's message.
    case permanent(String)
    /// Something the step needs is not in the sub-account (yet): a pipeline, stage, workflow or custom field. A
    /// sub-account whose snapshot is still loading looks like this, so it is retried on the schedule — for a
    /// bounded number of attempts (``DeliveryConfiguration/missingResourceAttempts``) — before it is a dead letter.
    case missing(String)
    /// The step was stopped before its call was sent (the service is shutting down): it goes back to the queue,
    /// due at once, without using an attempt.
    case interrupted

    /// Classifies an HTTP status (`nil`: no answer — a timeout or connection error).
    public static func classify(status: Int?, message: String, retryAfter: Duration? = nil) -> DeliveryFailure {
        switch status {
        case nil: .transient(message)
        case 429?: .throttled(retryAfter: retryAfter)
        case 408?: .transient(message)
        case let status? where status >= 500: .transient(message)
        default: .permanent(message)
        }
    }

    /// Whether the failure counts against the step's attempts.
    public var countsAsAttempt: Bool {
        switch self {
        case .throttled, .interrupted: false
        case .transient, .permanent, .missing: true
        }
    }

    public var description: String {
        switch self {
        case .throttled(let after): "throttled by GHL (429)" + (after.map { "; retry after \($0)" } ?? "")
        case .transient(let message): message
        case .permanent(let message): message
        case .missing(let message): message
        case .interrupted: "interrupted by shutdown before its call was sent"
        }
    }
}
