public import Foundation
public import HighLevel
import LeadRouting
public import Storage

/// Carries out one delivery step for one lead against GHL. Resolves custom fields, pipelines and workflows by
/// name per sub-account and caches what it found — never what it did not find: a sub-account whose snapshot is
/// still loading gets its pipeline later. Custom fields are resolved (and the missing ones created) by one task
/// per sub-account, however many leads arrive for it at once.
public actor LeadDelivery {
    private let client: HighLevelClient
    private let configuration: DeliveryConfiguration
    private var fieldIDs: [String: Task<[String: String], any Error>] = [:]
    private var pipelines: [String: (pipeline: String, stage: String?)] = [:]
    private var workflows: [String: String] = [:]
    /// Stage names by stage id, per sub-account, and when they were last read.
    private var stageNames: [String: (names: [String: String], readAt: ContinuousClock.Instant)] = [:]

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
                    throw DeliveryFailure.missing(
                        "no pipeline named '\(configuration.pipelineName ?? "")' in sub-account \(location) "
                            + "(its snapshot may still be loading)"
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
                    throw DeliveryFailure.missing(
                        "no workflow named '\(configuration.workflowName ?? "")' in sub-account \(location) "
                            + "(its snapshot may still be loading)"
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
        if error.code == .notSent { return .interrupted }
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

    /// The ids of the three custom fields in a sub-account, creating the missing ones: one lookup per
    /// sub-account at a time (concurrent first deliveries share it), kept once it succeeded.
    private func fieldIDs(in location: String) async throws -> [String: String] {
        if let lookup = fieldIDs[location] {
            do {
                return try await lookup.value
            } catch {
                // A failed lookup is not kept: the next delivery to this sub-account tries again.
                if fieldIDs[location] == lookup { fieldIDs[location] = nil }
                throw error
            }
        }
        let names = [configuration.distanceField, configuration.reasonField, configuration.scoreField]
        let lookup = Task { [client] in try await Self.resolveFields(names, in: location, client: client) }
        fieldIDs[location] = lookup
        return try await fieldIDs(in: location)
    }

    /// Finds the fields by name and creates the missing ones. A create answered "already exists" (someone else
    /// made it meanwhile, e.g. a snapshot finishing) means: look it up again and use it.
    private static func resolveFields(
        _ names: [String],
        in location: String,
        client: HighLevelClient
    ) async throws -> [String: String] {
        func existing() async throws -> [String: String] {
            Dictionary(
                try await client.customFields(locationID: location).map { ($0.name, $0.id) },
                uniquingKeysWith: { first, _ in first }
            )
        }
        var byName = try await existing()
        for name in names where byName[name] == nil {
            let refusal: String
            do {
                byName[name] = try await client.createCustomField(name: name, dataType: "TEXT", locationID: location)
                    .id
                continue
            } catch {
                guard [400, 409, 422].contains(error.status) else { throw error }
                refusal = error.message
            }
            guard let id = try await existing()[name] else {
                throw DeliveryFailure.missing(
                    "custom field '\(name)' could not be created in sub-account \(location): \(refusal)"
                )
            }
            byName[name] = id
        }
        return byName
    }

    /// The configured pipeline and its stage (the named one, else the first), kept once found; `nil` while the
    /// pipeline is not there (not kept: a loading snapshot brings it).
    private func pipeline(in location: String) async throws -> (pipeline: String, stage: String?)? {
        if let known = pipelines[location] { return known }
        let found = try await client.pipelines(locationID: location).first { $0.name == configuration.pipelineName }
        guard let found else { return nil }
        let stage: String?
        if let stageName = configuration.stageName {
            guard let named = found.stages.first(where: { $0.name == stageName }) else {
                throw DeliveryFailure.missing(
                    "no stage named '\(stageName)' in pipeline '\(found.name)' in sub-account \(location)"
                )
            }
            stage = named.id
        } else {
            stage = found.stages.first?.id
        }
        let result = (pipeline: found.id, stage: stage)
        pipelines[location] = result
        return result
    }

    /// The name of a pipeline stage in a sub-account (GHL's opportunity events carry only its id). The
    /// sub-account's pipelines are read once and again when an unknown id comes, at most once a minute; `nil` when
    /// the stage is not found or GHL cannot be asked now.
    public func stageName(_ stageID: String, in location: String) async -> String? {
        if let known = stageNames[location] {
            if let name = known.names[stageID] { return name }
            if ContinuousClock.now - known.readAt < .seconds(60) { return nil }
        }
        guard let pipelines = try? await client.pipelines(locationID: location) else {
            // Not asked again for a minute: events keep flowing while GHL cannot answer.
            stageNames[location] = (stageNames[location]?.names ?? [:], ContinuousClock.now)
            return nil
        }
        var names: [String: String] = [:]
        for pipeline in pipelines { for stage in pipeline.stages { names[stage.id] = stage.name } }
        stageNames[location] = (names, ContinuousClock.now)
        return names[stageID]
    }

    private func workflow(in location: String) async throws -> String? {
        if let known = workflows[location] { return known }
        let found = try await client.workflows(locationID: location).first { $0.name == configuration.workflowName }?.id
        workflows[location] = found
        return found
    }

    /// What GHL shows a location did with a contact since a time: its messages and calls, the opportunity, the
    /// appointments (read before an SLA re-route: webhooks get lost).
    public func evidence(
        contactID: String,
        opportunityID: String?,
        in location: String,
        since: Date
    ) async throws(DeliveryFailure) -> FollowUpEvidence {
        do {
            let messages = try await client.messages(contactID: contactID, locationID: location, since: since)
            var opportunity: OpportunityState?
            if let opportunityID { opportunity = try await client.opportunity(id: opportunityID, locationID: location) }
            let appointments = try await client.appointments(contactID: contactID, locationID: location)
            return FollowUpEvidence(messages: messages, opportunity: opportunity, appointments: appointments)
        } catch {
            throw Self.failure(error)
        }
    }

    /// Cleans up a location a lead was taken from: tags the contact as re-routed (and where to), takes it out of the
    /// nurture workflow so the old gym stops texting, and abandons its opportunity. Each call is idempotent.
    public func cleanUpAfterReroute(
        contactID: String,
        opportunityID: String?,
        in location: String,
        reroutedTo locationID: String
    ) async throws(DeliveryFailure) {
        do {
            try await client.addTags(
                [DeliveryStep.reroutedTag, DeliveryStep.reroutedTag + "-to:" + locationID],
                contactID: contactID,
                locationID: location
            )
            if let workflow = try await workflow(in: location) {
                try await client.removeFromWorkflow(contactID: contactID, workflowID: workflow, locationID: location)
            }
            if let opportunityID {
                try await client.setOpportunityStatus("abandoned", opportunityID: opportunityID, locationID: location)
            }
        } catch let error as HighLevelError {
            throw Self.failure(error)
        } catch {
            throw .transient("\(error)")
        }
    }
}

/// What GHL's API shows about a delivered contact.
public struct FollowUpEvidence: Sendable {
    public var messages: [ConversationMessage]
    public var opportunity: OpportunityState?
    public var appointments: [AppointmentState]
}
