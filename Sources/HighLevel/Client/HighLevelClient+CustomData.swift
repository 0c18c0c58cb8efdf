import OpenAPIRuntime

extension HighLevelClient {
    /// The custom values of a sub-account.
    public func customValues(locationID: String) async throws(HighLevelError) -> [CustomValue] {
        let response = try await call("get-custom-values", location: locationID) {
            try await client.getCustomValues(path: .init(locationId: locationID), headers: .init(version: ._20210728))
                .ok.body.json
        }
        return (response.customValues ?? []).compactMap { value in
            value.id.map { CustomValue(id: $0, name: value.name ?? "", value: value.value ?? "") }
        }
    }

    /// Creates a custom value.
    public func createCustomValue(
        name: String,
        value: String,
        locationID: String
    ) async throws(HighLevelError)
        -> CustomValue
    {
        let response = try await call("create-custom-value", location: locationID) {
            try await client.createCustomValue(
                path: .init(locationId: locationID),
                headers: .init(version: ._20210728),
                body: .json(.init(name: name, value: value))
            ).created.body.json
        }
        guard let created = response.customValue, let id = created.id else {
            throw Self.unexpected("create-custom-value", "no custom value in the answer")
        }
        return CustomValue(id: id, name: created.name ?? name, value: created.value ?? value)
    }

    /// Changes a custom value.
    public func updateCustomValue(
        id: String,
        name: String,
        value: String,
        locationID: String
    )
        async throws(HighLevelError) -> CustomValue
    {
        let response = try await call("update-custom-value", location: locationID) {
            try await client.updateCustomValue(
                path: .init(locationId: locationID, id: id),
                headers: .init(version: ._20210728),
                body: .json(.init(name: name, value: value))
            ).ok.body.json
        }
        let updated = response.customValue
        return CustomValue(id: updated?.id ?? id, name: updated?.name ?? name, value: updated?.value ?? value)
    }

    /// The custom fields of a sub-account (contact fields).
    public func customFields(locationID: String) async throws(HighLevelError) -> [CustomField] {
        let response = try await call("get-custom-fields", location: locationID) {
            try await client.getCustomFields(path: .init(locationId: locationID), headers: .init(version: ._20210728))
                .ok.body.json
        }
        return (response.customFields ?? []).compactMap { field in
            field.id.map {
                CustomField(id: $0, name: field.name ?? "", dataType: field.dataType ?? "", fieldKey: field.fieldKey)
            }
        }
    }

    /// Creates a custom field.
    public func createCustomField(
        name: String,
        dataType: String,
        locationID: String
    ) async throws(HighLevelError)
        -> CustomField
    {
        let response = try await call("create-custom-field", location: locationID) {
            try await client.createCustomField(
                path: .init(locationId: locationID),
                headers: .init(version: ._20210728),
                body: .json(.init(dataType: dataType, name: name))
            ).created.body.json
        }
        guard let field = response.customField, let id = field.id else {
            throw Self.unexpected("create-custom-field", "no custom field in the answer")
        }
        return CustomField(
            id: id,
            name: field.name ?? name,
            dataType: field.dataType ?? dataType,
            fieldKey: field.fieldKey
        )
    }
}
