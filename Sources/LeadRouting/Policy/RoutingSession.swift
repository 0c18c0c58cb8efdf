/// Routes leads one after another the way production does: each assignment takes its slot in the ledger and is
/// remembered for sticky routing of later repeats.
public struct RoutingSession: Sendable {
    public let engine: RoutingEngine
    public private(set) var ledger: CapacityLedger
    public private(set) var history: RoutingHistory

    public init(
        engine: RoutingEngine,
        ledger: CapacityLedger = CapacityLedger(),
        history: RoutingHistory = RoutingHistory()
    ) {
        self.engine = engine
        self.ledger = ledger
        self.history = history
    }

    /// Routes a lead and, when it is assigned, takes the slot and records the assignment.
    public mutating func route(_ lead: Lead) -> RoutingDecision {
        let decision = engine.decide(lead, ledger: ledger, history: history)
        guard decision.outcome == .assigned, let locationID = decision.locationID, let windows = decision.windows,
            let location = engine.location(withID: locationID)
        else { return decision }
        let block = ledger.take(locationID, limits: location.capacity, hotLead: decision.hotLead, in: windows)
        precondition(block == nil, "the engine chose \(locationID), which has no capacity left")
        history.record(lead, assignedTo: locationID)
        return decision
    }
}
