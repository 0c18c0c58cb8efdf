public import Delivery
public import Foundation
import HighLevel
import LeadRouting
public import LeadTracking
public import Logging
public import ServiceLifecycle
public import Storage

/// Watches each delivered lead's SLA from the durable queue (`sla` jobs, so timers survive restarts and are shared
/// by every instance): reminds the location at 50 % and 80 % of the window (`lead.sla_warning`); at the deadline
/// plus a grace period asks GHL's API what the location did (webhooks get lost) and, when nothing counts as work,
/// re-routes the lead to another location — excluding every one that had it, taking a slot there and giving one
/// back — cleans up the old location (tags, its nurture workflow, the opportunity abandoned) and announces the
/// breach and the re-route. After the allowed re-routes, or with nowhere to go, the lead waits in the review queue
/// (`slaExhausted`). DND contacts, manual assignments, exempt sources, sticky repeats and territory leads are
/// never re-routed.
public final class SLAWorker: Service, Sendable {
    private let store: any SwitchboardStore
    private let router: LeadRouter
    private let delivery: LeadDelivery
    private let policy: SLAPolicy
    private let rules: WorkedRules
    private let events: any LeadEventOutbox
    private let signal = WorkSignal()
    private let pollInterval: Duration
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// This worker's name on its claims.
    public let owner = "sla-\(UUID().uuidString.prefix(8))"

    public init(
        store: any SwitchboardStore,
        router: LeadRouter,
        delivery: LeadDelivery,
        policy: SLAPolicy,
        rules: WorkedRules,
        events: any LeadEventOutbox,
        pollInterval: Duration = .seconds(1),
        logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.router = router
        self.delivery = delivery
        self.policy = policy
        self.rules = rules
        self.events = events
        self.pollInterval = pollInterval
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        await ClaimLoop(
            store: store,
            kind: .sla,
            owner: owner,
            concurrency: 4,
            lease: .seconds(60),
            pollInterval: pollInterval,
            signal: signal,
            drainTimeout: .seconds(5),
            logger: logger,
            now: now
        ).run { job in await self.process(job) }
    }

    func process(_ job: Job) async {
        do {
            try await perform(job)
        } catch {
            // Not settled: the lease lapses and the phase runs again.
            logger.warning("SLA step failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    private func perform(_ job: Job) async throws {
        let claim = JobClaim(id: job.id, owner: owner)
        guard let leadID = job.leadID, let lead = try await store.lead(id: leadID) else {
            try await store.completeJob(claim, at: now())
            return
        }
        let attempts = try await store.attempts(ofLead: leadID)
        let step = job.step.flatMap(SLAStep.parse)
        if let step, step.phase == "cleanup", let old = attempts.first(where: { $0.number == step.attempt }) {
            try await cleanUp(old, lead: lead, claim: claim)
            return
        }
        guard let current = attempts.last, job.step == SLAStep.start || step?.attempt == current.number else {
            try await store.completeJob(claim, at: now())  // a timer of an attempt that is over
            return
        }
        let phase = step?.phase ?? "begin"
        if current.progress.worked {
            try await settle(claim, current, state: "met", dueAt: current.slaDueAt)
            return
        }
        if let exemption = exemption(of: lead, current) {
            logger.debug("SLA exempt", metadata: ["lead": "\(leadID)", "why": "\(exemption)"])
            try await settle(claim, current, state: "exempt", dueAt: nil)
            return
        }
        let location = try await store.location(id: current.locationID)
        if location?.slaExempt == true {
            try await settle(claim, current, state: "exempt", dueAt: nil)
            return
        }
        guard let seconds = location?.slaMinutes.map({ Double($0) * 60 }) ?? policy.seconds, seconds > 0 else {
            try await store.completeJob(claim, at: now())
            return
        }
        let clock = clock(of: location)
        guard let due = clock.date(after: seconds, from: current.deliveredAt) else {
            try await settle(claim, current, state: "exempt", dueAt: nil)
            return
        }
        let warnings = policy.warnings.compactMap { clock.date(after: seconds * $0, from: current.deliveredAt) }
        let date = now()
        func next(_ phase: String, at runAt: Date, announcing event: LeadEvent? = nil) async throws {
            var jobs = [
                NewJob(
                    kind: .sla,
                    leadID: leadID,
                    step: SLAStep.step(attempt: current.number, phase: phase),
                    runAt: runAt
                )
            ]
            if let event { jobs += events.jobs(announcing: event, leadID: leadID, at: date) }
            _ = try await store.finish(job.id, owner: owner, then: jobs, recording: nil, at: date)
            if event != nil { events.didQueue() }
        }
        switch phase {
        case "begin":
            try await store.setSLA(
                SLAChange(leadID: leadID, attempt: current.number, state: "running", dueAt: due),
                at: date
            )
            if let first = warnings.first {
                try await next("warn:0", at: first)
            } else {
                try await next("due", at: due.addingTimeInterval(policy.graceSeconds))
            }
        case let warn where warn.hasPrefix("warn:"):
            let index = Int(warn.dropFirst(5)) ?? 0
            guard index < warnings.count else {
                // No such reminder (the settings changed since): on to the deadline.
                try await next("due", at: due.addingTimeInterval(policy.graceSeconds))
                return
            }
            guard date >= warnings[index] else {
                try await next(phase, at: warnings[index])
                return
            }
            let following = index + 1 < warnings.count ? ("warn:\(index + 1)", warnings[index + 1]) : nil
            if let (name, at) = following {
                try await next(name, at: at, announcing: .slaWarning)
            } else {
                try await next("due", at: due.addingTimeInterval(policy.graceSeconds), announcing: .slaWarning)
            }
        default:  // due
            let deadline = due.addingTimeInterval(policy.graceSeconds)
            guard date >= deadline else {
                try await next("due", at: deadline)
                return
            }
            try await breach(current, of: lead, attempts: attempts, due: due, claim: claim)
        }
    }

    /// At the deadline: check GHL, then re-route or send to review.
    private func breach(
        _ current: AttemptRecord,
        of lead: LeadRecord,
        attempts: [AttemptRecord],
        due: Date,
        claim: JobClaim
    ) async throws {
        let leadID = lead.id
        if let contactID = current.contactID {
            let evidence: FollowUpEvidence
            do {
                evidence = try await delivery.evidence(
                    contactID: contactID,
                    opportunityID: current.opportunityID,
                    in: current.ghlLocationID,
                    since: current.deliveredAt
                )
            } catch {
                // Never re-route blind: ask again in a minute.
                _ = try await store.retry(
                    claim.id,
                    owner: owner,
                    at: now().addingTimeInterval(60),
                    countsAsAttempt: false,
                    error: "checking GHL before re-routing: \(error)",
                    now: now()
                )
                return
            }
            let found = await delivery.namingStages(
                evidence.events(contactID: contactID, in: current.ghlLocationID, now: now())
            )
            _ = try await store.track(found, rules: rules, at: now())
            if let updated = try await store.attempts(ofLead: leadID).first(where: { $0.number == current.number }),
                updated.progress.worked
            {
                logger.info("SLA met late (found in GHL)", metadata: ["lead": "\(leadID)"])
                try await settle(claim, updated, state: "met", dueAt: due)
                return
            }
        }
        let minutes =
            try await store.location(id: current.locationID)?.slaMinutes
            ?? Int(((policy.seconds ?? 0) / 60).rounded())
        let cleanup = NewJob(
            kind: .sla,
            leadID: leadID,
            step: SLAStep.step(attempt: current.number, phase: "cleanup"),
            runAt: now()
        )
        if attempts.count - 1 < policy.maxReroutes,
            try await router.reroute(
                leadID: leadID,
                excluding: Set(attempts.map(\.locationID)),
                reason: "re-routed: \(current.locationID) did not work the lead within its \(minutes)-minute SLA",
                completing: claim,
                followUp: [cleanup]
            ) != nil
        {
            logger.notice(
                "lead re-routed (SLA breached)",
                metadata: ["lead": "\(leadID)", "from": "\(current.locationID)"]
            )
            signal.signal()
            return
        }
        try await store.flagForReview(
            leadID: leadID,
            reason: "slaExhausted",
            followUp: events.jobs(announcing: .slaBreached, leadID: leadID, at: now())
                + events.jobs(announcing: .slaExhausted, leadID: leadID, at: now()),
            at: now()
        )
        events.didQueue()
        logger.notice("SLA exhausted: lead in review", metadata: ["lead": "\(leadID)"])
        try await settle(claim, current, state: "exhausted", dueAt: due)
    }

    /// After a re-route: marks the old attempt as breached and re-routed, and cleans its location up in GHL.
    private func cleanUp(_ old: AttemptRecord, lead: LeadRecord, claim: JobClaim) async throws {
        if let contactID = old.contactID {
            do {
                try await delivery.cleanUpAfterReroute(
                    contactID: contactID,
                    opportunityID: old.opportunityID,
                    in: old.ghlLocationID,
                    reroutedTo: lead.decision?.locationID ?? "?"
                )
            } catch {
                _ = try await store.retry(
                    claim.id,
                    owner: owner,
                    at: now().addingTimeInterval(30),
                    countsAsAttempt: true,
                    error: "cleaning up \(old.locationID) after the re-route: \(error)",
                    now: now()
                )
                return
            }
        }
        try await store.setSLA(
            SLAChange(
                leadID: old.leadID,
                attempt: old.number,
                state: "breached",
                dueAt: old.slaDueAt,
                reroutedAway: true
            ),
            at: now()
        )
        try await store.completeJob(claim, at: now())
    }

    private func settle(_ claim: JobClaim, _ attempt: AttemptRecord, state: String, dueAt: Date?) async throws {
        if attempt.slaState != state || attempt.slaDueAt != dueAt {
            try await store.setSLA(
                SLAChange(leadID: attempt.leadID, attempt: attempt.number, state: state, dueAt: dueAt),
                at: now()
            )
        }
        try await store.completeJob(claim, at: now())
    }

    /// Why a lead's SLA does not lead to a re-route, if it does not.
    private func exemption(of lead: LeadRecord, _ attempt: AttemptRecord) -> String? {
        if attempt.progress.isDoNotDisturb { return "the contact is do-not-disturb or deleted" }
        if lead.assignedManually { return "assigned by hand" }
        if let source = lead.lead.source?.lowercased(), policy.exemptSources.contains(source) {
            return "source '\(source)' is exempt"
        }
        switch lead.decision?.explanation.rule {
        case .sticky?: return "a repeat lead kept at its location"
        case .territory? where !policy.reroutesTerritories: return "the location's territory owns the postal code"
        default: return nil
        }
    }

    private func clock(of stored: StoredLocation?) -> BusinessClock {
        guard policy.clock == .business, let stored,
            let offsets = UTCOffsets(identifier: stored.location.timeZoneIdentifier)
        else { return .always }
        return BusinessClock(hours: stored.location.businessHours, offsets: offsets)
    }
}
