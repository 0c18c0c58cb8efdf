import Foundation
import OpenAPIRuntime

extension SandboxAPI {
    // MARK: - Custom values and fields

    func getCustomValues(_ input: Operations.GetCustomValues.Input) async throws -> Operations.GetCustomValues.Output {
        try SandboxCaller.requireLocation(input.path.locationId)
        let location = try await state.location(input.path.locationId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        customValues: location.customValues.map {
                            .init(
                                fieldKey: Self.fieldKey($0.name, prefix: "custom_values"),
                                id: $0.id,
                                locationId: location.id,
                                name: $0.name,
                                value: $0.value
                            )
                        }
                    )
                )
            )
        )
    }

    func createCustomValue(
        _ input: Operations.CreateCustomValue.Input
    ) async throws
        -> Operations.CreateCustomValue.Output
    {
        try SandboxCaller.requireLocation(input.path.locationId)
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        let id = await state.makeID()
        _ = try await state.update(input.path.locationId) { location throws(SandboxFailure) in
            guard !location.customValues.contains(where: { $0.name == body.name }) else {
                throw .badRequest("Custom value with name \(body.name) already exists")
            }
            location.customValues.append(.init(id: id, name: body.name, value: body.value))
        }
        return .created(
            .init(
                body: .json(
                    .init(
                        customValue: .init(
                            fieldKey: Self.fieldKey(body.name, prefix: "custom_values"),
                            id: id,
                            locationId: input.path.locationId,
                            name: body.name,
                            value: body.value
                        )
                    )
                )
            )
        )
    }

    func updateCustomValue(
        _ input: Operations.UpdateCustomValue.Input
    ) async throws
        -> Operations.UpdateCustomValue.Output
    {
        try SandboxCaller.requireLocation(input.path.locationId)
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        let id = input.path.id
        _ = try await state.update(input.path.locationId) { location throws(SandboxFailure) in
            guard let index = location.customValues.firstIndex(where: { $0.id == id }) else {
                throw .notFound("Custom value \(id) not found")
            }
            location.customValues[index].name = body.name
            location.customValues[index].value = body.value
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        customValue: .init(
                            fieldKey: Self.fieldKey(body.name, prefix: "custom_values"),
                            id: id,
                            locationId: input.path.locationId,
                            name: body.name,
                            value: body.value
                        )
                    )
                )
            )
        )
    }

    func getCustomFields(_ input: Operations.GetCustomFields.Input) async throws -> Operations.GetCustomFields.Output {
        try SandboxCaller.requireLocation(input.path.locationId)
        let location = try await state.location(input.path.locationId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        customFields: location.customFields.map {
                            .init(
                                dataType: $0.value,
                                fieldKey: Self.fieldKey($0.name, prefix: "contact"),
                                id: $0.id,
                                locationId: location.id,
                                model: .contact,
                                name: $0.name
                            )
                        }
                    )
                )
            )
        )
    }

    func createCustomField(
        _ input: Operations.CreateCustomField.Input
    ) async throws
        -> Operations.CreateCustomField.Output
    {
        try SandboxCaller.requireLocation(input.path.locationId)
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        let id = await state.makeID()
        _ = try await state.update(input.path.locationId) { location throws(SandboxFailure) in
            guard !location.customFields.contains(where: { $0.name == body.name }) else {
                throw .badRequest("Custom field with name \(body.name) already exists")
            }
            location.customFields.append(.init(id: id, name: body.name, value: body.dataType))
        }
        return .created(
            .init(
                body: .json(
                    .init(
                        customField: .init(
                            dataType: body.dataType,
                            fieldKey: Self.fieldKey(body.name, prefix: "contact"),
                            id: id,
                            locationId: input.path.locationId,
                            model: .contact,
                            name: body.name
                        )
                    )
                )
            )
        )
    }

    static func fieldKey(_ name: String, prefix: String) -> String {
        "\(prefix)." + name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    // MARK: - Contacts

    func upsertContact(_ input: Operations.UpsertContact.Input) async throws -> Operations.UpsertContact.Output {
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        try SandboxCaller.requireLocation(body.locationId)
        let fields = Dictionary(
            (body.customFields ?? []).compactMap { field in
                field.value1.flatMap { value in value.fieldValue.map { (value.id, $0) } }
            },
            uniquingKeysWith: { $1 }
        )
        let draft = ContactInput(
            firstName: body.firstName,
            lastName: body.lastName,
            email: body.email,
            phone: body.phone,
            city: body.city,
            postalCode: body.postalCode,
            source: body.source,
            tags: body.tags,
            customFields: fields
        )
        let (contact, isNew) = try await state.upsertContact(draft, in: body.locationId)
        webhooks.contactEvent(isNew ? "ContactCreate" : "ContactUpdate", contact, locationID: body.locationId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        contact: Self.schema(contact, locationID: body.locationId),
                        new: isNew,
                        traceId: UUID().uuidString
                    )
                )
            )
        )
    }

    func createContact(_ input: Operations.CreateContact.Input) async throws -> Operations.CreateContact.Output {
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        try SandboxCaller.requireLocation(body.locationId)
        let draft = ContactInput(
            firstName: body.firstName,
            lastName: body.lastName,
            email: body.email,
            phone: body.phone,
            city: body.city,
            postalCode: body.postalCode,
            source: body.source,
            tags: body.tags,
            customFields: [:]
        )
        let contact = try await state.createContact(draft, in: body.locationId)
        webhooks.contactEvent("ContactCreate", contact, locationID: body.locationId)
        return .created(
            .init(
                body: .json(
                    .init(
                        contact: .init(
                            city: contact.city,
                            dateAdded: contact.dateAdded.formatted(.iso8601),
                            email: contact.email,
                            firstName: contact.firstName,
                            id: contact.id,
                            lastName: contact.lastName,
                            locationId: body.locationId,
                            phone: contact.phone,
                            postalCode: contact.postalCode,
                            source: contact.source,
                            tags: contact.tags
                        )
                    )
                )
            )
        )
    }

    func getContact(_ input: Operations.GetContact.Input) async throws -> Operations.GetContact.Output {
        guard case .location(let locationID) = SandboxCaller.current else {
            throw SandboxFailure.unauthorized("This route requires a Sub-Account access token")
        }
        let location = try await state.location(locationID)
        guard let contact = location.contacts.first(where: { $0.id == input.path.contactId }) else {
            throw SandboxFailure.badRequest("Contact with id \(input.path.contactId) not found")
        }
        return .ok(.init(body: .json(.init(contact: Self.schema(contact, locationID: locationID)))))
    }

    func getDuplicateContact(
        _ input: Operations.GetDuplicateContact.Input
    ) async throws
        -> Operations.GetDuplicateContact.Output
    {
        try SandboxCaller.requireLocation(input.query.locationId)
        let match = try await state.duplicate(
            email: input.query.email,
            phone: input.query.number,
            in: input.query.locationId
        )
        return .ok(
            .init(
                body: .json(
                    .init(contact: match.map { .init(value1: Self.schema($0, locationID: input.query.locationId)) })
                )
            )
        )
    }

    func addContactToWorkflow(
        _ input: Operations.AddContactToWorkflow.Input
    ) async throws
        -> Operations.AddContactToWorkflow.Output
    {
        guard case .location(let locationID) = SandboxCaller.current else {
            throw SandboxFailure.unauthorized("This route requires a Sub-Account access token")
        }
        let contactID = input.path.contactId
        let workflowID = input.path.workflowId
        _ = try await state.update(locationID) { location throws(SandboxFailure) in
            guard location.contacts.contains(where: { $0.id == contactID }) else {
                throw .badRequest("Contact with id \(contactID) not found")
            }
            guard location.workflows.contains(where: { $0.id == workflowID }) else {
                throw .badRequest("Workflow with id \(workflowID) not found")
            }
            let enrolment = "\(contactID)/\(workflowID)"
            if !location.enrolments.contains(enrolment) { location.enrolments.append(enrolment) }
        }
        // As a real nurture workflow does: an automated SMS a little later (no user; source "workflow").
        let (state, webhooks, delay) = (self.state, self.webhooks, workflowMessageDelay)
        Task {
            try? await Task.sleep(for: delay)
            let message = SandboxMessage(
                id: await state.makeID(),
                outbound: true,
                messageType: "SMS",
                source: "workflow",
                status: "delivered",
                body: "Thanks for your interest! Reply to book your free trial.",
                dateAdded: await state.now()
            )
            _ = try? await state.update(locationID) { location throws(SandboxFailure) in
                location.messages = location.messages ?? [:]
                location.messages?[contactID, default: []].append(message)
            }
            webhooks.message(message, contactID: contactID, locationID: locationID)
        }
        return .ok(.init(body: .json(.init(succeded: true))))
    }

    // MARK: - Opportunities and workflows

    func createOpportunity(
        _ input: Operations.CreateOpportunity.Input
    ) async throws
        -> Operations.CreateOpportunity.Output
    {
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        try SandboxCaller.requireLocation(body.locationId)
        let id = await state.makeID()
        let created = await state.now()
        _ = try await state.update(body.locationId) { location throws(SandboxFailure) in
            guard let pipeline = location.pipelines.first(where: { $0.id == body.pipelineId }) else {
                throw .badRequest("Pipeline with id \(body.pipelineId) not found")
            }
            if let stage = body.pipelineStageId,
                !SandboxLocation.stages(of: pipeline).contains(where: { $0.id == stage })
            {
                throw .badRequest("Pipeline stage with id \(stage) not found in pipeline \(pipeline.id)")
            }
            guard location.contacts.contains(where: { $0.id == body.contactId }) else {
                throw .badRequest("Contact with id \(body.contactId) not found")
            }
            location.opportunities.append(id)
            location.opportunityDetails =
                (location.opportunityDetails ?? [])
                + [
                    .init(
                        id: id,
                        name: body.name,
                        contactID: body.contactId,
                        pipelineID: body.pipelineId,
                        stageID: body.pipelineStageId,
                        status: body.status.rawValue,
                        monetaryValue: body.monetaryValue,
                        dateAdded: created
                    )
                ]
        }
        if let opportunity = try await state.location(body.locationId).opportunityDetails?.last(where: { $0.id == id })
        {
            webhooks.opportunityCreated(opportunity, locationID: body.locationId)
        }
        return .created(
            .init(
                body: .json(
                    .init(
                        opportunity: .init(
                            contactId: body.contactId,
                            id: id,
                            monetaryValue: body.monetaryValue,
                            name: body.name,
                            pipelineId: body.pipelineId,
                            pipelineStageId: body.pipelineStageId,
                            status: body.status.rawValue
                        )
                    )
                )
            )
        )
    }

    func searchOpportunity(
        _ input: Operations.SearchOpportunity.Input
    ) async throws
        -> Operations.SearchOpportunity.Output
    {
        let query = input.query
        try SandboxCaller.requireLocation(query.locationId)
        let location = try await state.location(query.locationId)
        let found = (location.opportunityDetails ?? []).filter { opportunity in
            (query.contactId.map { $0 == opportunity.contactID } ?? true)
                && (query.pipelineId.map { $0 == opportunity.pipelineID } ?? true)
                && (query.pipelineStageId.map { $0 == opportunity.stageID } ?? true)
                && (query.status.map { $0 == .all || $0.rawValue == opportunity.status } ?? true)
        }
        let limit = max(1, min(100, Int(query.limit ?? 20)))
        let page = Array(found.prefix(limit))
        return .ok(
            .init(
                body: .json(
                    .init(
                        meta: .init(currentPage: 1, total: Double(found.count)),
                        opportunities: page.map {
                            .init(
                                contactId: $0.contactID,
                                id: $0.id,
                                locationId: location.id,
                                monetaryValue: $0.monetaryValue,
                                name: $0.name,
                                pipelineId: $0.pipelineID,
                                pipelineStageId: $0.stageID,
                                status: $0.status
                            )
                        }
                    )
                )
            )
        )
    }

    func getPipelines(_ input: Operations.GetPipelines.Input) async throws -> Operations.GetPipelines.Output {
        try SandboxCaller.requireLocation(input.query.locationId)
        let location = try await state.location(input.query.locationId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        pipelines: location.pipelines.map { pipeline in
                            .init(
                                id: pipeline.id,
                                locationId: location.id,
                                name: pipeline.name,
                                stages: SandboxLocation.stages(of: pipeline).map {
                                    .init(id: $0.id, name: $0.name, position: Double($0.value))
                                }
                            )
                        }
                    )
                )
            )
        )
    }

    func getWorkflow(_ input: Operations.GetWorkflow.Input) async throws -> Operations.GetWorkflow.Output {
        try SandboxCaller.requireLocation(input.query.locationId)
        let location = try await state.location(input.query.locationId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        workflows: location.workflows.map {
                            .init(id: $0.id, locationId: location.id, name: $0.name, status: $0.value, version: 1)
                        }
                    )
                )
            )
        )
    }

    static func schema(
        _ contact: SandboxLocation.Contact,
        locationID: String
    ) -> Components.Schemas.GetContectByIdSchema {
        .init(
            city: contact.city,
            customFields: contact.customFields.sorted { $0.key < $1.key }.map { .init(id: $0.key, value: $0.value) },
            dateAdded: contact.dateAdded.formatted(.iso8601),
            email: contact.email,
            firstName: contact.firstName,
            id: contact.id,
            lastName: contact.lastName,
            locationId: locationID,
            phone: contact.phone,
            postalCode: contact.postalCode,
            source: contact.source,
            tags: contact.tags
        )
    }
}

/// The fields of a contact write, from either the create or the upsert body.
struct ContactInput: Sendable {
    var firstName: String?
    var lastName: String?
    var email: String?
    var phone: String?
    var city: String?
    var postalCode: String?
    var source: String?
    var tags: [String]?
    var customFields: [String: String]
}
