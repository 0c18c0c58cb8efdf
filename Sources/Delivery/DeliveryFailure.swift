/// How a failed GHL call affects its delivery step.
public enum DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// 429: GHL is throttling. Try again after it says (or a short pause); the attempt is not counted.
    case throttled(retryAfter: Duration?)
    /// 408, 5xx, timeouts, connection errors: try again on the retry schedule.
    case transient(String)
    /// Any other 4xx (after the client's own token refresh on 401): the request itself is wrong. Dead-letter at
    /// once, with GHL's message.
    case permanent(String)

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
        if case .throttled = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .throttled(let after): "throttled by GHL (429)" + (after.map { "; retry after \($0)" } ?? "")
        case .transient(let message): message
        case .permanent(let message): message
        }
    }
}
