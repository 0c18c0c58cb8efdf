import OpenAPIRuntime

extension HighLevelClient {
    /// Creates or updates a contact in a sub-account (`POST /contacts/upsert`), matching on email/phone per the
    /// sub-account's duplicate setting. GHL replaces the tags: pass the union of old and new.
    /// - Returns: The contact, and whether it was new.
    public func upsertContact(
        _ draft: ContactDraft,
        locationID: String
    ) async throws(HighLevelError)
        -> (contact: Contact, isNew: Bool)
    {
        let response = try await call("upsert-contact", location: locationID) {
            try await client.upsertContact(
                headers: .init(version: ._20210728),
                body: .json(
                    .init(
                        customFields: Self.customFields(draft.customFields),
                        email: draft.email,
                        firstName: draft.firstName,
                        lastName: draft.lastName,
                        locationId: locationID,
                        phone: draft.phone,
                        postalCode: draft.postalCode,
                        source: draft.source,
                        tags: draft.tags
                    )
                )
            ).ok.body.json
        }
        guard let contact = response.contact, let id = contact.id else {
            throw Self.unexpected("upsert-contact", "no contact in the answer")
        }
        return (
            Contact(
                id: id,
                locationID: contact.locationId,
                email: contact.email,
                phone: contact.phone,
                tags: contact.tags ?? []
            ),
            response.new ?? false
        )
    }

    /// Creates a contact (`POST /contacts/`). Not retried: on a lost answer, look for it with
    /// ``duplicateContact(locationID:email:phone:)`` first. A duplicate answers 400 with the existing id.
    public func createContact(_ draft: ContactDraft, locationID: String) async throws(HighLevelError) -> Contact {
        let response = try await call("create-contact", location: locationID) {
            try await client.createContact(
                headers: .init(version: ._20210728),
                body: .json(
                    .init(
                        customFields: draft.customFields.map { .init(value1: .init(fieldValue: $0.value, id: $0.key)) },
                        email: draft.email,
                        firstName: draft.firstName,
                        lastName: draft.lastName,
                        locationId: locationID,
                        phone: draft.phone,
                        postalCode: draft.postalCode,
                        source: draft.source,
                        tags: draft.tags
                    )
                )
            ).created.body.json
        }
        guard let contact = response.contact, let id = contact.id else {
            throw Self.unexpected("create-contact", "no contact in the answer")
        }
        return Contact(
            id: id,
            locationID: contact.locationId,
            email: contact.email,
            phone: contact.phone,
            tags: contact.tags ?? []
        )
    }

    /// One contact by id.
    public func contact(id: String, locationID: String) async throws(HighLevelError) -> Contact {
        let response = try await call("get-contact", location: locationID) {
            try await client.getContact(path: .init(contactId: id), headers: .init(version: ._20210728)).ok.body.json
        }
        guard let contact = response.contact.flatMap(Contact.init) else {
            throw Self.unexpected("get-contact", "no contact in the answer")
        }
        return contact
    }

    /// The contact GHL would treat as the same person (by email, then phone), if any.
    public func duplicateContact(
        locationID: String,
        email: String?,
        phone: String?
    ) async throws(HighLevelError)
        -> Contact?
    {
        let response = try await call("get-duplicate-contact", location: locationID) {
            try await client.getDuplicateContact(
                query: .init(locationId: locationID, number: phone, email: email),
                headers: .init(version: ._20210728)
            ).ok.body.json
        }
        guard let contact = response.contact?.value1, let id = contact.id else { return nil }
        return Contact(
            id: id,
            locationID: contact.locationId,
            email: contact.email,
            phone: contact.phone,
            tags: contact.tags ?? []
        )
    }

    /// Enrols a contact in a workflow.
    public func addContactToWorkflow(
        contactID: String,
        workflowID: String,
        locationID: String
    )
        async throws(HighLevelError)
    {
        _ = try await call("add-contact-to-workflow", location: locationID) {
            try await client.addContactToWorkflow(
                path: .init(contactId: contactID, workflowId: workflowID),
                headers: .init(version: ._20210728),
                body: .json(.init())
            ).ok
        }
    }

    /// Creates an opportunity for a contact in a pipeline (and stage).
    /// - Returns: The opportunity's id.
    public func createOpportunity(
        name: String,
        contactID: String,
        pipelineID: String,
        stageID: String?,
        locationID: String
    ) async throws(HighLevelError) -> String {
        let response = try await call("create-opportunity", location: locationID) {
            try await client.createOpportunity(
                headers: .init(version: ._20210728),
                body: .json(
                    .init(
                        contactId: contactID,
                        locationId: locationID,
                        name: name,
                        pipelineId: pipelineID,
                        pipelineStageId: stageID,
                        status: .open
                    )
                )
            ).created.body.json
        }
        guard let id = response.opportunity?.id else {
            throw Self.unexpected("create-opportunity", "no opportunity in the answer")
        }
        return id
    }

    /// The ids of a contact's opportunities in a pipeline (`GET /opportunities/search`): a create whose answer was
    /// lost is found here before it is tried again.
    public func opportunities(
        contactID: String,
        pipelineID: String,
        locationID: String
    ) async throws(HighLevelError) -> [String] {
        let response = try await call("search-opportunity", location: locationID) {
            try await client.searchOpportunity(
                query: .init(locationId: locationID, pipelineId: pipelineID, contactId: contactID, status: .all),
                headers: .init(version: ._20210728)
            ).ok.body.json
        }
        return (response.opportunities ?? []).compactMap(\.id)
    }

    /// The pipelines of a sub-account.
    public func pipelines(locationID: String) async throws(HighLevelError) -> [Pipeline] {
        let response = try await call("get-pipelines", location: locationID) {
            try await client.getPipelines(query: .init(locationId: locationID), headers: .init(version: ._20210728))
                .ok.body.json
        }
        return (response.pipelines ?? []).compactMap { pipeline in
            let stages = (pipeline.stages ?? []).enumerated()
                .sorted { ($0.element.position ?? Double($0.offset)) < ($1.element.position ?? Double($1.offset)) }
                .compactMap { _, stage in stage.id.map { Pipeline.Stage(id: $0, name: stage.name ?? "") } }
            return pipeline.id.map { Pipeline(id: $0, name: pipeline.name ?? "", stages: stages) }
        }
    }

    /// The workflows of a sub-account.
    public func workflows(locationID: String) async throws(HighLevelError) -> [Workflow] {
        let response = try await call("get-workflow", location: locationID) {
            try await client.getWorkflow(query: .init(locationId: locationID), headers: .init(version: ._20210728))
                .ok.body.json
        }
        return (response.workflows ?? []).compactMap { workflow in
            workflow.id.map { Workflow(id: $0, name: workflow.name ?? "", status: workflow.status) }
        }
    }

    static func customFields(
        _ values: [String: String]
    ) -> [Components.Schemas.UpsertContactDto.CustomFieldsPayloadPayload]? {
        values.isEmpty
            ? nil : values.sorted { $0.key < $1.key }.map { .init(value1: .init(fieldValue: $0.value, id: $0.key)) }
    }
}

extension Contact {
    /// The contact from GHL's contact schema (as `get-contact`, `upsert-contact` and `get-duplicate-contact` answer
    /// it); `nil` without an id.
    init?(_ schema: Components.Schemas.GetContectByIdSchema) {
        guard let id = schema.id else { return nil }
        self.init(
            id: id,
            locationID: schema.locationId,
            email: schema.email,
            phone: schema.phone,
            tags: schema.tags ?? []
        )
    }
}
