import Foundation
import Storage

/// Group commit for intake: requests that arrive while a commit is in progress are stored together in the next
/// transaction, so a burst costs one disk flush per batch instead of one per lead. Each request still returns only
/// after its own lead is committed.
actor IntakeBatcher {
    private let store: any SwitchboardStore
    private let maximumBatch: Int
    /// More requests than this waiting for a commit means the database cannot keep up: new ones are turned away
    /// (429) rather than queued without bound.
    private let maximumWaiting: Int
    private var waiting: [(Intake, CheckedContinuation<IntakeResult, any Error>)] = []
    private var flushing = false

    init(store: any SwitchboardStore, maximumBatch: Int = 256, maximumWaiting: Int = 20_000) {
        self.store = store
        self.maximumBatch = maximumBatch
        self.maximumWaiting = maximumWaiting
    }

    /// Stores one intake (with whatever else is waiting) and returns its result once committed.
    func submit(_ intake: Intake) async throws -> IntakeResult {
        guard waiting.count < maximumWaiting else {
            throw StoreError.unavailable("\(waiting.count) leads are already waiting to be stored")
        }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append((intake, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maximumBatch))
            waiting.removeFirst(batch.count)
            do {
                let results = try await store.accept(batch.map(\.0))
                for (entry, result) in zip(batch, results) { entry.1.resume(returning: result) }
            } catch {
                for entry in batch { entry.1.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
