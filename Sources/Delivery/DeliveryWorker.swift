public import Foundation
import LeadRouting
public import Logging
public import ServiceLifecycle
public import Storage

/// Delivers routed leads into GHL from the durable queue: claims due `deliver` jobs under a lease (kept alive by
/// a heartbeat while the step runs), works on many at once — each call waits only on its own location's rate
/// limiter — and finishes, retries or dead-letters each step by what GHL answered. On graceful shutdown it stops
/// claiming and lets the steps in hand finish.
public final class DeliveryWorker: Service, Sendable {
    private let store: any SwitchboardStore
    private let delivery: LeadDelivery
    private let configuration: DeliveryConfiguration
    private let signal = WorkSignal()
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let outcomes: OutcomeBatcher
    /// Where delivered and dead-lettered leads are announced (notification webhooks).
    private let events: any LeadEventOutbox
    /// Whether a completed delivery starts the lead's SLA timer (a durable `sla` job, queued with the last step).
    private let startsSLA: Bool
    /// This worker's name on its claims.
    public let owner = "delivery-\(UUID().uuidString.prefix(8))"

    public init(
        store: any SwitchboardStore,
        delivery: LeadDelivery,
        configuration: DeliveryConfiguration,
        logger: Logger,
        events: any LeadEventOutbox = SilentOutbox(),
        startsSLA: Bool = false,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.startsSLA = startsSLA
        self.events = events
        self.store = store
        self.delivery = delivery
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.outcomes = OutcomeBatcher(store: store, now: now)
    }

    /// Says new delivery jobs are waiting.
    public func wake() { signal.signal() }

    public func run() async throws {
        logger.info(
            "delivery worker started",
            metadata: ["owner": "\(owner)", "concurrency": "\(configuration.concurrency)"]
        )
        await ClaimLoop(
            store: store,
            kind: .deliver,
            owner: owner,
            concurrency: configuration.concurrency,
            lease: configuration.lease,
            pollInterval: configuration.pollInterval,
            signal: signal,
            drainTimeout: configuration.drainTimeout,
            logger: logger,
            now: now
        ).run { job in await self.process(job) }
        logger.info("delivery worker stopped")
    }

    /// Runs one step of one lead's delivery and records what happened.
    func process(_ job: Job) async {
        do {
            try await perform(job)
        } catch {
            // The store could not record the outcome: the lease lapses and the step runs again.
            logger.warning("delivery bookkeeping failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    private func perform(_ job: Job) async throws {
        guard let leadID = job.leadID, let step = job.step.flatMap(DeliveryStep.init(rawValue:)),
            let lead = try await store.lead(id: leadID), let stored = try await store.delivery(ofLead: leadID)
        else {
            _ = try await store.deadLetter(
                job.id,
                owner: owner,
                reason: "the job names no known lead, step or delivery",
                recording: nil,
                at: now()
            )
            return
        }
        var record = stored
        // The location's sub-account may have been corrected since (then a replay goes to the right one).
        if step == .contact, let locationID = lead.decision?.locationID,
            let current = try await store.location(id: locationID)?.ghlLocationID, current != record.ghlLocationID
        {
            record.ghlLocationID = current
        }
        let heartbeat = Task { [store, owner, configuration, now] in
            while !Task.isCancelled {
                try await Task.sleep(for: configuration.lease / 3)
                guard try await store.heartbeat(job.id, owner: owner, leaseFor: configuration.lease, now: now()) else {
                    return
                }
            }
        }
        defer { heartbeat.cancel() }
        var updated: DeliveryRecord
        do {
            // A second attempt, a replay or a lease taken over from a dead worker: the step may have run before.
            updated = try await delivery.perform(
                step,
                lead: lead,
                delivery: record,
                retrying: job.attempts > 1 || stored.detail != nil
            )
        } catch {
            try await handle(error, of: job, step: step, record: record)
            return
        }
        do {
            let steps = await delivery.steps(for: lead, into: record.ghlLocationID)
            let next = steps.firstIndex(of: step).flatMap { $0 + 1 < steps.count ? steps[$0 + 1] : nil }
            updated.detail = nil
            updated.updatedAt = now()
            if next == nil { updated.state = .delivered }
            let followUp =
                next.map { [NewJob(kind: .deliver, leadID: leadID, step: $0.rawValue, runAt: now())] }
                ?? events.jobs(announcing: .delivered, leadID: leadID, at: now())
                + (startsSLA ? [NewJob(kind: .sla, leadID: leadID, step: SLAStep.start, runAt: now())] : [])
            let finished = try await outcomes.settle(
                .finished(id: job.id, owner: owner, next: followUp, delivery: updated)
            )
            if !finished {
                logger.notice("delivery step finished after its claim was lost", metadata: ["job": "\(job.id)"])
            }
            if next != nil { signal.signal() } else if finished { events.didQueue() }
        }
    }

    private func handle(
        _ failure: DeliveryFailure,
        of job: Job,
        step: DeliveryStep,
        record: DeliveryRecord
    )
        async throws
    {
        var record = record
        record.updatedAt = now()
        record.detail = "\(step.rawValue): \(failure)"
        /// Given up on: the delivery is dead-lettered with the reason, and that is announced.
        func deadLetter(_ reason: String) -> JobOutcome {
            record.state = .deadLettered
            return .dead(
                id: job.id,
                owner: owner,
                reason: reason,
                delivery: record,
                next: events.jobs(announcing: .deadLettered, leadID: record.leadID, at: now())
            )
        }
        let outcome: JobOutcome
        switch failure {
        case .interrupted:
            // Nothing was sent: back in the queue, due at once, the attempt given back.
            outcome = .retry(
                id: job.id,
                owner: owner,
                at: now(),
                countsAsAttempt: false,
                error: record.detail ?? "",
                delivery: nil
            )
        case .missing(let message)
        where job.attempts < configuration.missingResourceAttempts
            && job.attempts < configuration.schedule.maximumAttempts:
            let delay = configuration.schedule.delay(afterFailure: job.attempts, random: Double.random(in: 0..<1))
            outcome = .retry(
                id: job.id,
                owner: owner,
                at: now().addingTimeInterval((delay ?? .seconds(60)).seconds),
                countsAsAttempt: true,
                error: record.detail ?? message,
                delivery: record
            )
        case .missing(let message):
            record.detail = "\(step.rawValue): still missing after \(job.attempts) attempts: \(message)"
            outcome = deadLetter(record.detail ?? message)
        case .throttled(let after):
            outcome = .retry(
                id: job.id,
                owner: owner,
                at: now().addingTimeInterval((after ?? .seconds(1)).seconds),
                countsAsAttempt: false,
                error: record.detail ?? "",
                delivery: nil
            )
        case .transient(let message):
            if let delay = configuration.schedule.delay(afterFailure: job.attempts, random: Double.random(in: 0..<1)),
                job.attempts < configuration.schedule.maximumAttempts
            {
                outcome = .retry(
                    id: job.id,
                    owner: owner,
                    at: now().addingTimeInterval(delay.seconds),
                    countsAsAttempt: true,
                    error: record.detail ?? message,
                    delivery: record
                )
            } else {
                record.detail = "\(step.rawValue): gave up after \(job.attempts) attempts: \(message)"
                outcome = deadLetter(record.detail ?? message)
            }
        case .permanent(let message):
            outcome = deadLetter("\(step.rawValue): \(message)")
        }
        if try await outcomes.settle(outcome), case .dead = outcome { events.didQueue() }
        if failure == .interrupted { return }
        logger.notice(
            "delivery step failed",
            metadata: ["lead": "\(record.leadID)", "step": "\(step.rawValue)", "failure": "\(failure)"]
        )
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    public var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
