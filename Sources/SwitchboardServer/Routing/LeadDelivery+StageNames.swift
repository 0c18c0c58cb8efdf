import Delivery
import LeadTracking

extension LeadDelivery {
    /// The events with each opportunity's stage named (GHL sends only the stage's id), so that stages configured
    /// as funnel steps count.
    func namingStages(_ events: [GHLEvent]) async -> [GHLEvent] {
        var named = events
        for index in named.indices {
            guard case .opportunity(var opportunity) = named[index].change, opportunity.stageName == nil,
                let stage = opportunity.pipelineStageID
            else { continue }
            opportunity.stageName = await stageName(stage, in: named[index].ghlLocationID)
            named[index].change = .opportunity(opportunity)
        }
        return named
    }
}
