import Synchronization

/// A budget of bytes shared by every request whose body is being read: reserving fails instead of waiting, so a
/// flood of slow bodies is refused at once while memory stays bounded.
final class BodyBudget: Sendable {
    private let used = Atomic<Int>(0)
    /// The most that may be reserved at once.
    let bytes: Int

    init(bytes: Int) {
        self.bytes = bytes
    }

    /// Reserves `count` bytes; `false` (and nothing reserved) when that would pass the budget.
    func reserve(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        let total = used.add(count, ordering: .relaxed).newValue
        if total > bytes && total != count {
            used.subtract(count, ordering: .relaxed)
            return false
        }
        return true
    }

    func release(_ count: Int) {
        guard count > 0 else { return }
        used.subtract(count, ordering: .relaxed)
    }
}
