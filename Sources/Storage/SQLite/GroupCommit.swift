import GRDB
import Synchronization

/// Group commit on the writer's own queue: items submitted while a transaction is running are written together in
/// the next one, which starts as soon as the previous one has committed, from the writer's queue itself. A burst
/// costs one transaction (one disk flush) per batch, and a caller waits for the commit in progress, its own commit,
/// and one wake-up — not for its turn on a busy thread pool between commits.
final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    /// Writes a batch in one transaction and returns one output per item, in order.
    typealias Work = @Sendable (Database, [Item]) throws -> [Output]

    private let writer: any DatabaseWriter
    private let work: Work
    private let maximumBatch: Int
    private let maximumWaiting: Int
    /// What the items are, for the refusal ("leads", "events").
    private let noun: String
    private let state = Mutex(State())

    private struct Entry {
        let items: [Item]
        let continuation: CheckedContinuation<[Output], any Error>
    }

    /// What a submission does once queued.
    private enum Next {
        case wait
        case commit([Entry])
        case refuse(waiting: Int)
    }

    private struct State: ~Copyable {
        var waiting: [Entry] = []
        var waitingItems = 0
        var committing = false
    }

    /// - Parameters:
    ///   - maximumBatch: Items written per transaction, at most (a single larger submission is written whole).
    ///   - maximumWaiting: More items than this waiting means the database cannot keep up: further submissions
    ///     fail with ``StoreError/unavailable(_:)`` instead of queueing without bound.
    init(
        writer: any DatabaseWriter,
        of noun: String,
        maximumBatch: Int = 256,
        maximumWaiting: Int = 20_000,
        work: @escaping Work
    ) {
        self.writer = writer
        self.noun = noun
        self.work = work
        self.maximumBatch = maximumBatch
        self.maximumWaiting = maximumWaiting
    }

    /// Items waiting for a transaction (not counting the one being written).
    var waitingItems: Int { state.withLock { $0.waitingItems } }

    /// Writes the items (with whatever else is waiting) and returns their outputs once committed.
    func submit(_ items: [Item]) async throws -> [Output] {
        guard !items.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let next = state.withLock { state -> Next in
                guard state.waitingItems < maximumWaiting else { return .refuse(waiting: state.waitingItems) }
                state.waiting.append(Entry(items: items, continuation: continuation))
                state.waitingItems += items.count
                guard !state.committing else { return .wait }
                state.committing = true
                return .commit(Self.takeBatch(from: &state, maximum: maximumBatch))
            }
            switch next {
            case .wait: break
            case .commit(let batch): commit(batch)
            case .refuse(let waiting):
                continuation.resume(
                    throwing: StoreError.unavailable("\(waiting) \(noun) are already waiting to be stored")
                )
            }
        }
    }

    /// Writes a batch; then the entries in `alone`, each in its own transaction; then whatever is waiting.
    ///
    /// When a batch of several callers fails, each is written again alone: one caller's bad item must not fail
    /// the others (GHL resends a webhook only when it is answered 429, so a failure answered for another's
    /// item would lose it).
    private func commit(_ batch: [Entry], then alone: [Entry] = []) {
        writer.asyncWrite({ [work] db in try work(db, batch.flatMap(\.items)) }) { [self] _, result in
            var alone = alone
            switch result {
            case .success(let outputs):
                var start = 0
                for entry in batch {
                    entry.continuation.resume(returning: Array(outputs[start..<start + entry.items.count]))
                    start += entry.items.count
                }
            case .failure where batch.count > 1:
                alone = batch + alone
            case .failure(let error):
                let failure = SQLiteStore.storeError(error)
                for entry in batch { entry.continuation.resume(throwing: failure) }
            }
            if let first = alone.first {
                commit([first], then: Array(alone.dropFirst()))
                return
            }
            let next = state.withLock { state -> [Entry]? in
                guard !state.waiting.isEmpty else {
                    state.committing = false
                    return nil
                }
                return Self.takeBatch(from: &state, maximum: maximumBatch)
            }
            if let next { commit(next) }
        }
    }

    /// The oldest waiting entries, up to `maximum` items (always at least one entry).
    private static func takeBatch(from state: inout State, maximum: Int) -> [Entry] {
        var count = 0
        var taken = 0
        for entry in state.waiting {
            if taken > 0 && count + entry.items.count > maximum { break }
            count += entry.items.count
            taken += 1
        }
        let batch = Array(state.waiting.prefix(taken))
        state.waiting.removeFirst(taken)
        state.waitingItems -= count
        return batch
    }
}
