import Dispatch
import GRDB
import Synchronization
import Testing

@testable import Storage

@Suite("Group commit")
struct GroupCommitTests {
    final class BatchLog: Sendable {
        let batches = Mutex<[[Int]]>([])
    }

    /// A table of numbers, and a commit queue whose work inserts them and answers ten times each. The batch
    /// holding `gate` waits until the test opens it; a batch holding -1 fails after inserting.
    final class Fixture: Sendable {
        let database: DatabaseQueue
        let commits: GroupCommit<Int, Int>
        /// The items of each transaction, in order.
        let log = BatchLog()
        let gate = DispatchSemaphore(value: 0)
        static let gated = 0

        init(maximumBatch: Int = 256, maximumWaiting: Int = 20_000) throws {
            database = try DatabaseQueue()
            try database.write { db in try db.execute(sql: "CREATE TABLE numbers (value INTEGER NOT NULL)") }
            let log = self.log
            let gate = self.gate
            commits = GroupCommit(
                writer: database,
                of: "numbers",
                maximumBatch: maximumBatch,
                maximumWaiting: maximumWaiting
            ) {
                db,
                items in
                log.batches.withLock { $0.append(items) }
                if items.contains(Self.gated) { gate.wait() }
                for item in items { try db.execute(sql: "INSERT INTO numbers (value) VALUES (?)", arguments: [item]) }
                if items.contains(-1) { throw DatabaseError(message: "refused") }
                return items.map { $0 * 10 }
            }
        }

        func stored() throws -> [Int] {
            try database.read { db in try Int.fetchAll(db, sql: "SELECT value FROM numbers ORDER BY value") }
        }

        /// Starts a submission of the gated item and returns once its transaction is running.
        func holdTheWriter() async throws -> Task<[Int], any Error> {
            let held = Task { try await commits.submit([Self.gated]) }
            while log.batches.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(2)) }
            return held
        }

        func untilWaiting(_ count: Int) async throws {
            while commits.waitingItems < count { try await Task.sleep(for: .milliseconds(2)) }
        }
    }

    @Test("Submissions made while a transaction runs are written together in the next, each caller gets its own")
    func batchesWhileBusy() async throws {
        let fixture = try Fixture()
        let held = try await fixture.holdTheWriter()
        let waiting = (1...50).map { value in Task { try await fixture.commits.submit([value]) } }
        try await fixture.untilWaiting(50)
        fixture.gate.signal()
        #expect(try await held.value == [0])
        for (index, task) in waiting.enumerated() { #expect(try await task.value == [(index + 1) * 10]) }
        #expect(fixture.log.batches.withLock { $0.map(\.count) } == [1, 50])
        #expect(try fixture.stored() == Array(0...50))
    }

    @Test("A batch holds at most the maximum; a larger single submission is written whole")
    func batchLimit() async throws {
        let fixture = try Fixture(maximumBatch: 4)
        let held = try await fixture.holdTheWriter()
        let small = (1...6).map { value in Task { try await fixture.commits.submit([value]) } }
        try await fixture.untilWaiting(6)
        let large = Task { try await fixture.commits.submit(Array(100..<110)) }
        try await fixture.untilWaiting(16)
        fixture.gate.signal()
        _ = try await held.value
        for task in small { _ = try await task.value }
        #expect(try await large.value == Array(stride(from: 1000, to: 1100, by: 10)))
        #expect(fixture.log.batches.withLock { $0.map(\.count) } == [1, 4, 2, 10])
    }

    @Test("Beyond the waiting limit a submission is refused as unavailable; those waiting are still written")
    func refusesWhenTooManyWait() async throws {
        let fixture = try Fixture(maximumWaiting: 3)
        let held = try await fixture.holdTheWriter()
        let waiting = (1...3).map { value in Task { try await fixture.commits.submit([value]) } }
        try await fixture.untilWaiting(3)
        await #expect {
            try await fixture.commits.submit([4])
        } throws: { error in
            guard case StoreError.unavailable(let message) = error else { return false }
            return message.contains("3 numbers are already waiting")
        }
        fixture.gate.signal()
        _ = try await held.value
        for task in waiting { _ = try await task.value }
        #expect(try fixture.stored() == [0, 1, 2, 3])
    }

    @Test("A transaction that fails fails its callers and writes nothing; the next one commits")
    func failureRollsBack() async throws {
        let fixture = try Fixture()
        await #expect(throws: DatabaseError.self) { try await fixture.commits.submit([-1, 7]) }
        #expect(try await fixture.commits.submit([5]) == [50])
        #expect(try fixture.stored() == [5])
    }

    @Test("One caller's failing item fails that caller only: the others in its batch are written again alone")
    func failureIsolatedToItsCaller() async throws {
        let fixture = try Fixture()
        let held = try await fixture.holdTheWriter()
        let failing = Task { try await fixture.commits.submit([-1]) }
        try await fixture.untilWaiting(1)
        var others: [Task<[Int], any Error>] = []
        for (index, value) in [3, 4].enumerated() {
            others.append(Task { try await fixture.commits.submit([value]) })
            try await fixture.untilWaiting(index + 2)
        }
        fixture.gate.signal()
        #expect(try await held.value == [0])
        await #expect(throws: DatabaseError.self) { try await failing.value }
        #expect(try await others[0].value == [30])
        #expect(try await others[1].value == [40])
        // The batch of three failed as a whole, then each went alone: only the bad one failed.
        #expect(fixture.log.batches.withLock { $0 } == [[0], [-1, 3, 4], [-1], [3], [4]])
        #expect(try fixture.stored() == [0, 3, 4])
    }
}
