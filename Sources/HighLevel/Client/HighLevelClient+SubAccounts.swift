import OpenAPIRuntime

extension HighLevelClient {
    /// Creates a sub-account (`POST /locations/`). Never retried: if the answer is lost, search before trying again.
    public func createSubAccount(_ new: NewSubAccount) async throws(HighLevelError) -> SubAccount {
        let companyID = configuration.companyID
        let response = try await call("create-location") {
            try await client.createLocation(
                headers: .init(version: ._20210728),
                body: .json(
                    .init(
                        address: new.address,
                        city: new.city,
                        companyId: companyID,
                        country: new.country.flatMap { .init(rawValue: $0) },
                        name: new.name,
                        phone: new.phone,
                        postalCode: new.postalCode,
                        snapshotId: new.snapshotID,
                        state: new.state,
                        timezone: new.timezone,
                        website: new.website
                    )
                )
            ).ok.body.json
        }
        guard let id = response.id else { throw Self.unexpected("create-location", "no id in the answer") }
        return SubAccount(
            id: id,
            name: response.name ?? new.name,
            timezone: response.timezone,
            postalCode: response.postalCode,
            email: response.email,
            phone: response.phone
        )
    }

    /// One sub-account by id.
    public func subAccount(id: String) async throws(HighLevelError) -> SubAccount {
        let response = try await call("get-location") {
            try await client.getLocation(path: .init(locationId: id), headers: .init(version: ._20210728)).ok.body.json
        }
        guard let location = response.location, let foundID = location.id else {
            throw Self.unexpected("get-location", "no location in the answer")
        }
        return SubAccount(
            id: foundID,
            name: location.name ?? "",
            timezone: location.timezone,
            postalCode: location.postalCode,
            email: location.email,
            phone: location.phone
        )
    }

    /// The agency's sub-accounts, a page at a time (GHL's search has no name filter: filter the result).
    public func searchSubAccounts(skip: Int = 0, limit: Int = 100) async throws(HighLevelError) -> [SubAccount] {
        let companyID = configuration.companyID
        let response = try await call("search-locations") {
            try await client.searchLocations(
                query: .init(companyId: companyID, skip: String(skip), limit: String(limit)),
                headers: .init(version: ._20210728)
            ).ok.body.json
        }
        return (response.locations ?? []).compactMap { location in
            location.id.map {
                SubAccount(
                    id: $0,
                    name: location.name ?? "",
                    timezone: location.timezone,
                    postalCode: location.postalCode,
                    email: location.email,
                    phone: location.phone
                )
            }
        }
    }

    /// Every sub-account of the agency, paging through the search.
    public func allSubAccounts(pageSize: Int = 100) async throws(HighLevelError) -> [SubAccount] {
        var all: [SubAccount] = []
        while true {
            let page = try await searchSubAccounts(skip: all.count, limit: pageSize)
            all += page
            if page.count < pageSize { return all }
        }
    }

    /// Changes a sub-account's name and time zone (`PUT /locations/{id}`).
    public func updateSubAccount(
        id: String,
        name: String? = nil,
        timezone: String? = nil
    ) async throws(HighLevelError)
        -> SubAccount
    {
        let companyID = configuration.companyID
        let response = try await call("put-location") {
            try await client.putLocation(
                path: .init(locationId: id),
                headers: .init(version: ._20210728),
                body: .json(.init(companyId: companyID, name: name, timezone: timezone))
            ).ok.body.json
        }
        return SubAccount(
            id: response.id ?? id,
            name: response.name ?? name ?? "",
            timezone: response.timezone,
            postalCode: response.postalCode,
            email: response.email,
            phone: response.phone
        )
    }

    /// Deletes a sub-account.
    public func deleteSubAccount(id: String) async throws(HighLevelError) {
        _ = try await call("delete-location") {
            try await client.deleteLocation(
                path: .init(locationId: id),
                query: .init(deleteTwilioAccount: false),
                headers: .init(version: ._20210728)
            ).ok
        }
    }

    /// The agency's snapshots.
    public func snapshots() async throws(HighLevelError) -> [Snapshot] {
        let companyID = configuration.companyID
        let response = try await call("get-custom-snapshots") {
            try await client.getCustomSnapshots(query: .init(companyId: companyID), headers: .init(version: ._20210728))
                .ok.body.json
        }
        return (response.snapshots ?? []).compactMap { snapshot in
            snapshot.id.map { Snapshot(id: $0, name: snapshot.name ?? "") }
        }
    }

    /// How far loading a snapshot into a sub-account has got.
    public func snapshotPushStatus(
        snapshotID: String,
        locationID: String
    ) async throws(HighLevelError)
        -> SnapshotPushStatus
    {
        let companyID = configuration.companyID
        let response = try await call("get-latest-snapshot-push") {
            try await client.getLatestSnapshotPush(
                path: .init(snapshotId: snapshotID, locationId: locationID),
                query: .init(companyId: companyID),
                headers: .init(version: ._20210728)
            ).ok.body.json
        }
        return SnapshotPushStatus(status: response.data?.status ?? "unknown")
    }
}
