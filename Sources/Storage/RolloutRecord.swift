public import Foundation

/// Where one location's onboarding stands: its sub-account, its wave, each step's state, and — when it is
/// quarantined — why.
public struct RolloutRecord: Sendable, Hashable, Codable {
    /// The location's place in the rollout.
    public enum State: String, Sendable, Hashable, Codable {
        /// Being set up (or stopped part way: `apply` resumes it).
        case inProgress
        /// Validated and taking live leads.
        case active
        /// A step or a check failed; `rollout retry --quarantined` runs it again.
        case quarantined
    }

    /// One step's state.
    public struct StepState: Sendable, Hashable, Codable {
        public enum Status: String, Sendable, Hashable, Codable {
            /// Started and not known to have finished (a crash in between): reconcile with GHL before retrying.
            case pending
            case done
            case failed
        }

        public var status: Status
        public var detail: String?
        /// How long the step took, in seconds.
        public var seconds: Double?

        public init(status: Status, detail: String? = nil, seconds: Double? = nil) {
            self.status = status
            self.detail = detail
            self.seconds = seconds
        }
    }

    public var locationID: String
    public var wave: Int
    public var state: State
    public var ghlLocationID: String?
    /// Step name → its state.
    public var steps: [String: StepState]
    /// The failed checks or step, for a quarantined location.
    public var failures: [String]
    public var updatedAt: Date

    public init(
        locationID: String,
        wave: Int,
        state: State = .inProgress,
        ghlLocationID: String? = nil,
        steps: [String: StepState] = [:],
        failures: [String] = [],
        updatedAt: Date
    ) {
        self.locationID = locationID
        self.wave = wave
        self.state = state
        self.ghlLocationID = ghlLocationID
        self.steps = steps
        self.failures = failures
        self.updatedAt = updatedAt
    }
}
