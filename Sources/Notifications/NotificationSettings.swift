public import Delivery

/// Where lead events go and how hard the service tries: the endpoint groups, and the queue's retry schedule.
public struct NotificationSettings: Sendable {
    public var groups: [EndpointGroup]
    /// When an event whose every URL failed is tried again (the delivery ladder by default).
    public var schedule: RetrySchedule
    /// Events sent at once.
    public var concurrency: Int
    /// How often the worker looks for events left behind (e.g. by a worker that died).
    public var pollInterval: Duration

    public init(
        groups: [EndpointGroup] = [],
        schedule: RetrySchedule = .standard,
        concurrency: Int = 32,
        pollInterval: Duration = .seconds(1)
    ) {
        self.groups = groups
        self.schedule = schedule
        self.concurrency = concurrency
        self.pollInterval = pollInterval
    }
}
