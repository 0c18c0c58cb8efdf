import Delivery
import Foundation
import LeadTracking
import Logging
import ServiceLifecycle
import Storage

/// Reads back from GHL what webhooks may have missed: GHL drops a webhook on any answer but 429, so on an interval
/// this takes the attempts delivered in the last days that were not read back lately (a claim in the store: no two
/// instances read the same one), asks GHL's API for their messages, opportunity and appointments (through the
/// client's per-location rate limiters), and applies what it finds as the webhooks would have — idempotently, so
/// what the webhooks did bring changes nothing twice. Closed attempts (won, lost, re-routed) are skipped.
final class FollowUpReconciler: Service, Sendable {
    private let store: any SwitchboardStore
    private let delivery: LeadDelivery
    private let rules: WorkedRules
    private let interval: Duration
    private let window: TimeInterval
    private let batch: Int
    private let logger: Logger
    private let now: @Sendable () -> Date

    init(
        store: any SwitchboardStore,
        delivery: LeadDelivery,
        rules: WorkedRules,
        interval: Duration,
        window: TimeInterval = 3 * 86_400,
        batch: Int = 50,
        logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.delivery = delivery
        self.rules = rules
        self.interval = interval
        self.window = window
        self.batch = batch
        self.logger = logger
        self.now = now
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            _ = await cancelWhenGracefulShutdown { [interval] in try? await Task.sleep(for: interval) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            do {
                let found = try await reconcile()
                if found > 0 { logger.info("reconciled with GHL", metadata: ["attemptsChanged": "\(found)"]) }
            } catch {
                logger.warning("could not reconcile with GHL; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One pass. - Returns: how many attempts GHL's API changed.
    @discardableResult
    func reconcile() async throws -> Int {
        let date = now()
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let attempts = try await store.claimAttemptsToReconcile(
            deliveredSince: date.addingTimeInterval(-window),
            reconciledBefore: date.addingTimeInterval(-seconds),
            limit: batch,
            at: date
        )
        var changed = 0
        for attempt in attempts {
            let progress = attempt.progress
            guard let contactID = attempt.contactID, !progress.won, !progress.lost, !progress.reroutedAway else {
                continue
            }
            do {
                let evidence = try await delivery.evidence(
                    contactID: contactID,
                    opportunityID: attempt.opportunityID,
                    in: attempt.ghlLocationID,
                    since: attempt.deliveredAt
                )
                let events = await delivery.namingStages(
                    evidence.events(contactID: contactID, in: attempt.ghlLocationID, now: now())
                )
                let results = try await store.track(events, rules: rules, at: now())
                if results.contains(where: { if case .applied = $0 { true } else { false } }) { changed += 1 }
            } catch {
                logger.notice(
                    "could not read a delivered lead back from GHL",
                    metadata: ["lead": "\(attempt.leadID)", "error": "\(error)"]
                )
            }
        }
        return changed
    }
}
