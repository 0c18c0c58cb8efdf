/// What delivering a lead into GHL does, and how hard the worker pushes.
public struct DeliveryConfiguration: Sendable {
    /// Create an opportunity in the pipeline with this name (each sub-account's own), if set.
    public var pipelineName: String?
    /// …in the stage with this name (default: the pipeline's first).
    public var stageName: String?
    /// Enrol the contact in the workflow with this name, if set.
    public var workflowName: String?
    /// Custom fields written on the contact, by name (the franchise snapshot's); created in the sub-account when
    /// missing.
    public var distanceField: String
    public var reasonField: String
    public var scoreField: String
    /// Jobs worked on at once. Calls wait on their own location's rate limiter, so a high number lets every
    /// location's budget be used in parallel without one slow location holding the others.
    public var concurrency: Int
    /// How long a claim holds a job without a heartbeat.
    public var lease: Duration
    /// How often the worker looks for due jobs when nobody wakes it.
    public var pollInterval: Duration
    /// When failed steps are tried again.
    public var schedule: RetrySchedule
    /// How many attempts a step gets while something it needs is missing from the sub-account (a pipeline,
    /// stage, workflow or custom field — e.g. a snapshot still loading) before it is a dead letter: with the
    /// standard schedule, 6 attempts span about 37 minutes.
    public var missingResourceAttempts: Int
    /// How long the steps in hand may run on when the service shuts down; then they are stopped and given back.
    public var drainTimeout: Duration

    public init(
        pipelineName: String? = nil,
        stageName: String? = nil,
        workflowName: String? = nil,
        distanceField: String = "Routing distance",
        reasonField: String = "Routing reason",
        scoreField: String = "Lead score",
        concurrency: Int = 256,
        lease: Duration = .seconds(60),
        pollInterval: Duration = .seconds(1),
        schedule: RetrySchedule = .standard,
        missingResourceAttempts: Int = 6,
        drainTimeout: Duration = .seconds(7)
    ) {
        self.missingResourceAttempts = missingResourceAttempts
        self.drainTimeout = drainTimeout
        self.pipelineName = pipelineName
        self.stageName = stageName
        self.workflowName = workflowName
        self.distanceField = distanceField
        self.reasonField = reasonField
        self.scoreField = scoreField
        self.concurrency = concurrency
        self.lease = lease
        self.pollInterval = pollInterval
        self.schedule = schedule
    }
}
