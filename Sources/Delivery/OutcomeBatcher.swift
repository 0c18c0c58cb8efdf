import Foundation
import Storage

/// Group commit for job outcomes: the steps that finish while a commit is running are settled together in the
/// next transaction, so a busy worker pays one disk flush per batch, not per step. Each caller returns once its
/// own outcome is committed.
actor OutcomeBatcher {
    private let store: any SwitchboardStore
    private let now: @Sendable () -> Date
    private var waiting: [(JobOutcome, CheckedContinuation<Bool, any Error>)] = []
    private var flushing = false

    init(store: any SwitchboardStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    /// Settles one outcome (with whatever else is waiting). - Returns: `false` when the claim was lost.
    func settle(_ outcome: JobOutcome) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((outcome, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(512))
            waiting.removeFirst(batch.count)
            do {
                let results = try await store.settle(batch.map(\.0), at: now())
                for (entry, result) in zip(batch, results) { entry.1.resume(returning: result) }
            } catch {
                for entry in batch { entry.1.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
