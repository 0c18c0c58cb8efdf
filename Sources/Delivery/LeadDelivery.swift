public import HighLevel
import LeadRouting
public import Storage

/// Carries out one delivery step for one lead against GHL. Resolves custom fields, pipelines and workflows by
/// name per sub-account, once, and caches them.
public actor LeadDelivery {
    private let client: HighLevelClient
    private let configuration: DeliveryConfiguration
    private var fieldIDs: [String: [String: String]] = [:]
    private var pipelines: [String: (pipeline: String, stage: String?)?] = [:]
    private var workflows: [String: String?] = [:]

    public init(client: HighLevelClient, configuration: DeliveryConfiguration) {
        self.client = client
        self.configuration = configuration
    }

    /// The steps a lead's delivery goes through, in order.
    public func steps(for lead: LeadRecord, into ghlLocationID: String) -> [DeliveryStep] {
        var steps: [DeliveryStep] = [.contact]
        if configuration.pipelineName != nil { steps.append(.opportunity) }
        if configuration.workflowName != nil { steps.append(.workflow) }
        if let origin = lead.origin?.locationID, origin != ghlLocationID,
            lead.lead.email != nil || lead.lead.phone != nil
        {
            steps.append(.intakeTag)
        }
        return steps
    }

    /// Performs a step.
    /// - Returns: The delivery record after it (contact and opportunity ids filled in).
    /// - Throws: ``DeliveryFailure`` saying whether to retry.
    /// - Parameter retrying: The step may have run before (an earlier attempt failed or its worker died): a
    ///   create that is not idempotent (the opportunity) looks for what that attempt may have made first.
    public func perform(
        _ step: DeliveryStep,
        lead: LeadRecord,
        delivery: DeliveryRecord,
        retrying: Bool = false
    ) async throws(DeliveryFailure)
        -> DeliveryRecord
    {
        var delivery = delivery
        let location = delivery.ghlLocationID
        do {
            switch step {
            case .contact:
                delivery.contactID = try await upsertContact(lead, into: location)
            case .opportunity:
                guard let contactID = delivery.contactID else {
                    throw DeliveryFailure.permanent("no contact to attach an opportunity to")
                }
                guard let target = try await pipeline(in: location) else {
                    throw DeliveryFailure.permanent(
                        "no pipeline named '\(configuration.pipelineName ?? "")' in \(location)"
                    )
                }
                if retrying,
                    let made = try await client.opportunities(
                        contactID: contactID,
                        pipelineID: target.pipeline,
                        locationID: location
                    ).first
                {
                    delivery.opportunityID = made
                    return delivery
                }
                let name = [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " ")
                delivery.opportunityID = try await client.createOpportunity(
                    name: name.isEmpty ? (lead.lead.email ?? lead.lead.phone ?? "Lead \(lead.id)") : name,
                    contactID: contactID,
                    pipelineID: target.pipeline,
                    stageID: target.stage,
                    locationID: location
                )
            case .workflow:
                guard let contactID = delivery.contactID else { throw DeliveryFailure.permanent("no contact to enrol") }
                guard let workflow = try await workflow(in: location) else {
                    throw DeliveryFailure.permanent(
                        "no workflow named '\(configuration.workflowName ?? "")' in \(location)"
                    )
                }
                try await client.addContactToWorkflow(contactID: contactID, workflowID: workflow, locationID: location)
            case .intakeTag:
                guard let intake = lead.origin?.locationID else { return delivery }
                let locationID = lead.decision?.locationID ?? location
                let existing = try await client.duplicateContact(
                    locationID: intake,
                    email: lead.lead.email,
                    phone: lead.lead.phone
                )
                var tags = existing?.tags ?? []
                for tag in [DeliveryStep.routedTag, DeliveryStep.locationTag(locationID)] where !tags.contains(tag) {
                    tags.append(tag)
                }
                _ = try await client.upsertContact(
                    ContactDraft(email: lead.lead.email, phone: lead.lead.phone, tags: tags),
                    locationID: intake
                )
            }
        } catch let failure as DeliveryFailure {
            throw failure
        } catch let error as HighLevelError {
            throw Self.failure(error)
        } catch {
            throw DeliveryFailure.transient("\(error)")
        }
        return delivery
    }

    static func failure(_ error: HighLevelError) -> DeliveryFailure {
        if error.code == .dailyLimitReached { return .throttled(retryAfter: .seconds(600)) }
        if error.code == .transport { return .transient(error.message) }
        return DeliveryFailure.classify(
            status: error.status,
            message: "\(error.operation): \(error.status.map { "HTTP \($0): " } ?? "")\(error.message)"
        )
    }

    private func upsertContact(_ lead: LeadRecord, into location: String) async throws -> String {
        let decision = lead.decision
        let locationID = decision?.locationID ?? ""
        let existing: Contact?
        if lead.lead.email != nil || lead.lead.phone != nil {
            existing = try await client.duplicateContact(
                locationID: location,
                email: lead.lead.email,
                phone: lead.lead.phone
            )
        } else {
            existing = nil
        }
        var tags = existing?.tags ?? []
        for tag in [DeliveryStep.routedTag, DeliveryStep.locationTag(locationID)] where !tags.contains(tag) {
            tags.append(tag)
        }
        let fields = try await fieldIDs(in: location)
        var values: [String: String] = [:]
        if let id = fields[configuration.distanceField], let distance = decision?.distanceMiles {
            values[id] = String(ExplanationJSON.rounded(distance))
        }
        if let id = fields[configuration.reasonField], let decision { values[id] = decision.explanation.rule.rawValue }
        if let id = fields[configuration.scoreField], let score = lead.lead.score { values[id] = String(score) }
        let draft = ContactDraft(
            firstName: lead.firstName,
            lastName: lead.lastName,
            email: lead.lead.email,
            phone: lead.lead.phone,
            postalCode: lead.lead.postalCode,
            source: lead.lead.source,
            tags: tags,
            customFields: values
        )
        return try await client.upsertContact(draft, locationID: location).contact.id
    }

    /// The ids of the three custom fields in a sub-account, creating the missing ones once.
    private func fieldIDs(in location: String) async throws -> [String: String] {
        if let known = fieldIDs[location] { return known }
        var byName = Dictionary(
            try await client.customFields(locationID: location).map { ($0.name, $0.id) },
            uniquingKeysWith: { first, _ in first }
        )
        for name in [configuration.distanceField, configuration.reasonField, configuration.scoreField]
        where byName[name] == nil {
            byName[name] = try await client.createCustomField(name: name, dataType: "TEXT", locationID: location).id
        }
        fieldIDs[location] = byName
        return byName
    }

    private func pipeline(in location: String) async throws -> (pipeline: String, stage: String?)? {
        if let known = pipelines[location] { return known }
        let found = try await client.pipelines(locationID: location).first { $0.name == configuration.pipelineName }
        let result = found.map { (pipeline: $0.id, stage: String?.none) }
        pipelines[location] = result
        return result
    }

    private func workflow(in location: String) async throws -> String? {
        if let known = workflows[location] { return known }
        let found = try await client.workflows(locationID: location).first { $0.name == configuration.workflowName }?.id
        workflows[location] = found
        return found
    }
}
