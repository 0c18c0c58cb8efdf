import Foundation
import OpenAPIRuntime

/// The generated server protocol, implemented over ``SandboxState``: each handler checks the caller's scope,
/// applies GHL's rules and answers in GHL's shapes.
struct SandboxAPI: APIProtocol {
    let state: SandboxState
    let webhooks: SandboxWebhooks
    /// How long after a workflow enrolment its automated SMS goes out.
    var workflowMessageDelay: Duration = .seconds(5)

    // MARK: - OAuth

    func getAccessToken(_ input: Operations.GetAccessToken.Input) async throws -> Operations.GetAccessToken.Output {
        guard case .urlEncodedForm(let form) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        guard form.grantType == .refreshToken, let refreshToken = form.refreshToken else {
            throw SandboxFailure.badRequest("The sandbox supports grant_type=refresh_token only")
        }
        let (access, refresh) = try await state.refresh(refreshToken)
        return .ok(
            .init(
                body: .json(
                    .init(
                        accessToken: access,
                        companyId: state.companyID,
                        expiresIn: 86_399,
                        refreshToken: refresh,
                        scope: "locations.write contacts.write",
                        tokenType: "Bearer",
                        userId: "sandbox-user",
                        userType: "Company"
                    )
                )
            )
        )
    }

    func getLocationAccessToken(
        _ input: Operations.GetLocationAccessToken.Input
    ) async throws
        -> Operations.GetLocationAccessToken.Output
    {
        try SandboxCaller.requireAgency()
        guard case .urlEncodedForm(let form) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        guard form.companyId == state.companyID else { throw SandboxFailure.forbidden("Company does not match") }
        let (token, expiresIn) = try await state.mintLocationToken(for: form.locationId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        accessToken: token,
                        expiresIn: expiresIn,
                        locationId: form.locationId,
                        scope: "contacts.write opportunities.write workflows.readonly",
                        tokenType: "Bearer",
                        userId: "sandbox-user"
                    )
                )
            )
        )
    }

    // MARK: - Sub-accounts

    func createLocation(_ input: Operations.CreateLocation.Input) async throws -> Operations.CreateLocation.Output {
        try SandboxCaller.requireAgency()
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        guard body.companyId == state.companyID else { throw SandboxFailure.forbidden("Company does not match") }
        let location = try await state.createLocation(
            SandboxLocation(
                id: await state.makeID(),
                name: body.name,
                address: body.address,
                city: body.city,
                state: body.state,
                country: body.country?.rawValue,
                postalCode: body.postalCode,
                phone: body.phone,
                email: nil,
                website: body.website,
                timezone: body.timezone
            ),
            snapshotID: body.snapshotId
        )
        return .ok(
            .init(
                body: .json(
                    .init(
                        address: location.address,
                        city: location.city,
                        companyId: state.companyID,
                        country: location.country.flatMap { .init(rawValue: $0) },
                        id: location.id,
                        name: location.name,
                        phone: location.phone,
                        postalCode: location.postalCode,
                        state: location.state,
                        timezone: location.timezone,
                        website: location.website
                    )
                )
            )
        )
    }

    func getLocation(_ input: Operations.GetLocation.Input) async throws -> Operations.GetLocation.Output {
        try SandboxCaller.requireAgencyOrLocation(input.path.locationId)
        let location = try await state.location(input.path.locationId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        location: .init(
                            address: location.address,
                            city: location.city,
                            companyId: state.companyID,
                            country: location.country,
                            email: location.email,
                            id: location.id,
                            name: location.name,
                            phone: location.phone,
                            postalCode: location.postalCode,
                            state: location.state,
                            timezone: location.timezone,
                            website: location.website
                        )
                    )
                )
            )
        )
    }

    func searchLocations(_ input: Operations.SearchLocations.Input) async throws -> Operations.SearchLocations.Output {
        let skip = input.query.skip.flatMap { Int($0) } ?? 0
        let limit = input.query.limit.flatMap { Int($0) } ?? 10
        var locations = await state.allLocations()
        // The spec allows both tokens: the agency sees its sub-accounts, a sub-account token its own.
        switch SandboxCaller.current {
        case .agency: break
        case .location(let id): locations = locations.filter { $0.id == id }
        case nil: throw SandboxFailure.unauthorized("Invalid JWT")
        }
        if let email = input.query.email { locations = locations.filter { $0.email == email } }
        if input.query.order == "desc" { locations.reverse() }
        let page = locations.dropFirst(skip).prefix(limit)
        return .ok(
            .init(
                body: .json(
                    .init(
                        locations: page.map {
                            .init(
                                address: $0.address,
                                city: $0.city,
                                country: $0.country,
                                email: $0.email,
                                id: $0.id,
                                name: $0.name,
                                phone: $0.phone,
                                postalCode: $0.postalCode,
                                state: $0.state,
                                timezone: $0.timezone,
                                website: $0.website
                            )
                        }
                    )
                )
            )
        )
    }

    func putLocation(_ input: Operations.PutLocation.Input) async throws -> Operations.PutLocation.Output {
        try SandboxCaller.requireAgency()
        guard case .json(let body) = input.body else { throw SandboxFailure.badRequest("Invalid body") }
        let location = try await state.update(input.path.locationId) { location throws(SandboxFailure) in
            if let name = body.name { location.name = name }
            if let timezone = body.timezone { location.timezone = timezone }
            if let phone = body.phone { location.phone = phone }
            if let website = body.website { location.website = website }
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        companyId: state.companyID,
                        id: location.id,
                        name: location.name,
                        postalCode: location.postalCode,
                        timezone: location.timezone
                    )
                )
            )
        )
    }

    func deleteLocation(_ input: Operations.DeleteLocation.Input) async throws -> Operations.DeleteLocation.Output {
        try SandboxCaller.requireAgency()
        try await state.deleteLocation(input.path.locationId)
        return .ok(.init(body: .json(.init(message: "Location deleted", success: true))))
    }

    // MARK: - Snapshots

    func getCustomSnapshots(
        _ input: Operations.GetCustomSnapshots.Input
    ) async throws
        -> Operations.GetCustomSnapshots.Output
    {
        try SandboxCaller.requireAgency()
        let snapshots = await state.snapshots
        return .ok(
            .init(body: .json(.init(snapshots: snapshots.map { .init(id: $0.id, name: $0.name, _type: "own") })))
        )
    }

    func getLatestSnapshotPush(
        _ input: Operations.GetLatestSnapshotPush.Input
    ) async throws
        -> Operations.GetLatestSnapshotPush.Output
    {
        try SandboxCaller.requireAgency()
        let location = try await state.location(input.path.locationId)
        guard let push = location.snapshotPush, push.snapshotID == input.path.snapshotId else {
            throw SandboxFailure.notFound("No push of snapshot \(input.path.snapshotId) to this location")
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        data: .init(
                            id: push.snapshotID,
                            locationId: location.id,
                            status: push.installed ? "completed" : "processing"
                        )
                    )
                )
            )
        )
    }
}
