import Synchronization

/// Group commit for PostgreSQL intake: leads submitted while the database is busy are written together, a batch
/// per transaction, with up to `maximumInFlight` transactions at once (each on its own pooled connection). A burst
/// then costs a few statements per batch — one multi-row insert per table — instead of several round trips per
/// lead, and concurrent commits share PostgreSQL's WAL flushes.
final class PostgresIntakeBatcher: Sendable {
    typealias Work = @Sendable ([Intake]) async throws -> [IntakeResult]

    private struct Entry {
        let intakes: [Intake]
        let continuation: CheckedContinuation<[IntakeResult], any Error>
    }

    private struct State: ~Copyable {
        var waiting: [Entry] = []
        var waitingIntakes = 0
        var inFlight = 0
    }

    private let state = Mutex(State())
    private let work: Work
    private let maximumBatch: Int
    private let maximumInFlight: Int
    private let maximumWaiting: Int

    init(maximumBatch: Int = 256, maximumInFlight: Int = 4, maximumWaiting: Int = 4_000, work: @escaping Work) {
        self.work = work
        self.maximumBatch = maximumBatch
        self.maximumInFlight = maximumInFlight
        self.maximumWaiting = maximumWaiting
    }

    func submit(_ intakes: [Intake]) async throws -> [IntakeResult] {
        guard !intakes.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let batch = state.withLock { state -> [Entry]?? in
                guard state.waitingIntakes < maximumWaiting else { return .some(nil) }
                state.waiting.append(Entry(intakes: intakes, continuation: continuation))
                state.waitingIntakes += intakes.count
                guard state.inFlight < maximumInFlight else { return nil }
                state.inFlight += 1
                return .some(Self.takeBatch(from: &state, maximum: maximumBatch))
            }
            switch batch {
            case .none: break
            case .some(.none):
                continuation.resume(
                    throwing: StoreError.unavailable("\(maximumWaiting) leads are already waiting to be stored")
                )
            case .some(.some(let entries)): Task { await commit(entries) }
            }
        }
    }

    /// Commits a batch, then the next while any is waiting.
    private func commit(_ first: [Entry]) async {
        var batch = first
        while true {
            do {
                let results = try await work(batch.flatMap(\.intakes))
                var start = 0
                for entry in batch {
                    entry.continuation.resume(returning: Array(results[start..<start + entry.intakes.count]))
                    start += entry.intakes.count
                }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
            let next = state.withLock { state -> [Entry]? in
                guard !state.waiting.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                return Self.takeBatch(from: &state, maximum: maximumBatch)
            }
            guard let next else { return }
            batch = next
        }
    }

    /// The oldest waiting entries, up to `maximum` leads (always at least one entry).
    private static func takeBatch(from state: inout State, maximum: Int) -> [Entry] {
        var count = 0
        var taken = 0
        for entry in state.waiting {
            if taken > 0 && count + entry.intakes.count > maximum { break }
            count += entry.intakes.count
            taken += 1
        }
        let batch = Array(state.waiting.prefix(taken))
        state.waiting.removeFirst(taken)
        state.waitingIntakes -= count
        return batch
    }
}
