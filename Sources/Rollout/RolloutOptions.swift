/// How a rollout runs: wave sizes and gate, how long a snapshot may take, how many locations at once.
public struct RolloutOptions: Sendable {
    /// The first wave's size.
    public var pilotSize: Int
    /// Later waves' size.
    public var waveSize: Int
    /// The share of a wave's locations that must validate before the next wave starts (1 = all).
    public var threshold: Double
    /// Start the next wave whatever the previous one's result.
    public var force: Bool
    /// How long a snapshot may take to load before the location is quarantined.
    public var snapshotTimeout: Duration
    /// How often a snapshot's loading is checked.
    public var pollInterval: Duration
    /// Locations worked on at once (GHL's rate limiter, not this number, sets the pace).
    public var concurrency: Int

    public init(
        pilotSize: Int = 10,
        waveSize: Int = 15,
        threshold: Double = 1,
        force: Bool = false,
        snapshotTimeout: Duration = .seconds(600),
        pollInterval: Duration = .seconds(2),
        concurrency: Int = 25
    ) {
        self.pilotSize = pilotSize
        self.waveSize = waveSize
        self.threshold = threshold
        self.force = force
        self.snapshotTimeout = snapshotTimeout
        self.pollInterval = pollInterval
        self.concurrency = concurrency
    }
}

/// Which locations an `apply` works on.
public enum WaveSelection: String, Sendable, CaseIterable {
    /// The first wave (`pilotSize` locations).
    case pilot
    /// The unfinished wave, or the next one once the previous passed its gate.
    case next
    /// Every wave in turn, each gated.
    case all
}
