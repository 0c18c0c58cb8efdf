import Delivery
public import Foundation
public import Logging
public import ServiceLifecycle
public import Storage
import Synchronization

/// Sends lead events to the configured endpoint groups from the durable queue. Each event is queued once per
/// group that listens for it, in the transaction that caused it (see ``LeadEventOutbox``); the worker claims
/// queued events under a lease, posts each to its group with rotation and failover (``FailoverSender``), and when
/// every URL failed puts it back with the retry schedule — dead-lettered only when the schedule is used up.
public final class NotificationWorker: Service, LeadEventOutbox, Sendable {
    private let store: any SwitchboardStore
    private let settings: NotificationSettings
    private let groups: [String: EndpointGroup]
    private let sender: FailoverSender
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let signal = WorkSignal()
    /// Per group, the URL the next event starts at.
    private let rotation = Mutex<[String: Int]>([:])
    /// Long enough for one event to try every URL of its group.
    private let lease: Duration
    /// This worker's name on its claims.
    public let owner = "notify-\(UUID().uuidString.prefix(8))"

    public init(
        store: any SwitchboardStore,
        settings: NotificationSettings,
        sender: FailoverSender = FailoverSender(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.settings = settings
        self.groups = Dictionary(settings.groups.map { ($0.name, $0) }) { first, _ in first }
        self.sender = sender
        self.logger = logger
        self.now = now
        let longest = settings.groups.map { $0.timeout * $0.urls.count }.max() ?? .zero
        self.lease = max(.seconds(30), longest + .seconds(10))
    }

    // MARK: LeadEventOutbox

    public func jobs(announcing event: LeadEvent, leadID: String, at date: Date) -> [NewJob] {
        settings.groups.filter { $0.events.contains(event) }.map { group in
            NewJob(kind: .notify, leadID: leadID, step: Self.step(event, group.name), runAt: date)
        }
    }

    public func didQueue() { signal.signal() }

    static func step(_ event: LeadEvent, _ group: String) -> String { "\(event.rawValue) \(group)" }

    // MARK: Service

    public func run() async throws {
        guard !settings.groups.isEmpty else { return }
        logger.info(
            "notification worker started",
            metadata: ["owner": "\(owner)", "groups": "\(settings.groups.map(\.name).joined(separator: ","))"]
        )
        await ClaimLoop(
            store: store,
            kind: .notify,
            owner: owner,
            concurrency: settings.concurrency,
            lease: lease,
            pollInterval: settings.pollInterval,
            signal: signal,
            logger: logger,
            now: now
        ).run { job in await self.process(job) }
        logger.info("notification worker stopped")
    }

    /// Sends one queued event and records what happened.
    func process(_ job: Job) async {
        do {
            let outcome = try await send(job)
            _ = try await store.settle([outcome], at: now())
        } catch {
            // The store could not be read or written: the lease lapses and the event is sent again.
            logger.warning("notification bookkeeping failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    private func send(_ job: Job) async throws -> JobOutcome {
        let parts = (job.step ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, let event = LeadEvent(rawValue: parts[0]), let leadID = job.leadID else {
            return .dead(id: job.id, owner: owner, reason: "not a notification: '\(job.step ?? "")'", delivery: nil)
        }
        guard let group = groups[parts[1]] else {
            return .dead(
                id: job.id,
                owner: owner,
                reason: "endpoint group '\(parts[1])' is no longer configured",
                delivery: nil
            )
        }
        guard let lead = try await store.lead(id: leadID) else {
            return .dead(id: job.id, owner: owner, reason: "lead \(leadID) does not exist", delivery: nil)
        }
        let sentAt = now()
        let notification = LeadNotification(
            event: event,
            lead: lead,
            delivery: try await store.delivery(ofLead: leadID),
            sentAt: sentAt
        )
        let body = try notification.body(in: group.format)
        // The same id on every attempt of this event, so a receiver can drop repeats.
        let messageID = "msg_\(leadID)_\(job.id)"
        let timestamp = Int(sentAt.timeIntervalSince1970)
        var headers = [
            ("content-type", "application/json"),
            ("user-agent", "Switchboard"),
            ("webhook-id", messageID),
            ("webhook-timestamp", String(timestamp)),
        ]
        if let secret = group.secret {
            headers.append(
                (
                    "webhook-signature",
                    WebhookSignature(secret: secret).sign(id: messageID, timestamp: timestamp, body: body)
                )
            )
        }
        let start = rotation.withLock { next in
            let start = next[group.name, default: 0]
            next[group.name] = (start + 1) % group.urls.count
            return start
        }
        let report = await sender.send(
            body,
            headers: headers,
            to: group.urls,
            startingAt: start,
            timeout: group.timeout
        )
        for failure in report.failures {
            logger.notice(
                "notification endpoint failed",
                metadata: [
                    "group": "\(group.name)", "event": "\(event.rawValue)", "url": "\(failure.url)",
                    "reason": "\(failure.reason)",
                ]
            )
        }
        if report.deliveredTo != nil {
            return .finished(id: job.id, owner: owner, next: [], delivery: nil)
        }
        let reason = report.failures.map { "\($0.url.host ?? $0.url.absoluteString): \($0.reason)" }
            .joined(separator: "; ")
        if job.attempts < settings.schedule.maximumAttempts,
            let delay = settings.schedule.delay(afterFailure: job.attempts, random: Double.random(in: 0..<1))
        {
            return .retry(
                id: job.id,
                owner: owner,
                at: now().addingTimeInterval(delay.seconds),
                countsAsAttempt: true,
                error: "every URL of \(group.name) failed: \(reason)",
                delivery: nil
            )
        }
        return .dead(
            id: job.id,
            owner: owner,
            reason: "gave up after \(job.attempts) attempts; every URL of \(group.name) failed: \(reason)",
            delivery: nil
        )
    }
}
