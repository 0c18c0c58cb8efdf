import Foundation

/// Everything the sandbox knows: the agency, its snapshots and sub-accounts with their contents, and the tokens it
/// has issued. One actor, so every request sees a consistent world.
actor SandboxState {
    let companyID: String
    private(set) var agencyTokens: Set<String>
    private var refreshTokens: Set<String> = []
    private var locationTokens: [String: (locationID: String, expiresAt: Date)] = [:]
    private(set) var snapshots: [SandboxSnapshot]
    private(set) var locations: [SandboxLocation] = []
    private let clock: @Sendable () -> Date

    /// The sandbox's time (injected, for tests).
    func now() -> Date { clock() }
    private var snapshotLoadDelay: Duration
    private let locationTokenLifetime: TimeInterval
    private let store: SandboxStore?
    private var nextID = 1

    init(
        companyID: String,
        agencyToken: String,
        snapshots: [SandboxSnapshot],
        snapshotLoadDelay: Duration,
        locationTokenLifetime: TimeInterval,
        store: SandboxStore?,
        now: @escaping @Sendable () -> Date
    ) throws {
        self.companyID = companyID
        self.agencyTokens = [agencyToken]
        self.snapshots = snapshots
        self.snapshotLoadDelay = snapshotLoadDelay
        self.locationTokenLifetime = locationTokenLifetime
        self.store = store
        self.clock = now
        if let store {
            (locations, nextID) = try store.load()
        }
    }

    // MARK: - Persistence

    /// Writes one sub-account to the store, if the sandbox has one. A failed write is a failed request (500),
    /// never a silent loss.
    private func save(_ index: Int) throws(SandboxFailure) {
        guard let store else { return }
        do {
            try store.save(locations[index], position: index, nextID: nextID)
        } catch {
            throw SandboxFailure(status: 500, message: "the sandbox could not save its state: \(error)")
        }
    }

    /// A fresh id in GHL's style (20 characters).
    func makeID() -> String {
        defer { nextID += 1 }
        let base = String(nextID, radix: 36)
        let random = (0..<(20 - base.count)).map { _ in
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()!
        }
        return String(random) + base
    }

    // MARK: - Tokens

    enum Caller: Sendable, Equatable {
        case agency
        case location(String)
    }

    /// Who a bearer token belongs to, or `nil` for an unknown or expired token.
    func caller(forToken token: String) -> Caller? {
        if agencyTokens.contains(token) { return .agency }
        if let issued = locationTokens[token], issued.expiresAt > now() { return .location(issued.locationID) }
        return nil
    }

    func mintLocationToken(for locationID: String) throws(SandboxFailure) -> (token: String, expiresIn: TimeInterval) {
        guard locations.contains(where: { $0.id == locationID }) else {
            throw .badRequest("Location not found or app not installed on this location")
        }
        let token = "loc-" + UUID().uuidString
        locationTokens[token] = (locationID, now().addingTimeInterval(locationTokenLifetime))
        return (token, locationTokenLifetime)
    }

    /// Issues an agency token pair (the OAuth flow's result), remembering the refresh token.
    func issueAgencyTokens() -> (access: String, refresh: String) {
        let access = "agency-" + UUID().uuidString
        let refresh = "refresh-" + UUID().uuidString
        agencyTokens.insert(access)
        refreshTokens.insert(refresh)
        return (access, refresh)
    }

    /// Trades a refresh token for a new pair; the old refresh token stops working (GHL rotates them).
    func refresh(_ refreshToken: String) throws(SandboxFailure) -> (access: String, refresh: String) {
        guard refreshTokens.remove(refreshToken) != nil else { throw .unauthorized("Invalid refresh token") }
        return issueAgencyTokens()
    }

    /// Expires every location token (for tests of token refresh).
    func expireLocationTokens() {
        locationTokens = [:]
    }

    /// Mends a snapshot that never loaded: it loads from now on, and pushes of it still in progress finish now.
    func mendSnapshot(_ id: String) {
        for index in snapshots.indices where snapshots[index].id == id { snapshots[index].neverLoads = false }
        for index in locations.indices {
            guard var push = locations[index].snapshotPush, push.snapshotID == id, push.completesAt == nil else {
                continue
            }
            push.completesAt = now()
            locations[index].snapshotPush = push
            try? save(index)
        }
    }

    func setSnapshotLoadDelay(_ delay: Duration) {
        snapshotLoadDelay = delay
    }

    // MARK: - Sub-accounts

    func createLocation(_ location: SandboxLocation, snapshotID: String?) throws(SandboxFailure) -> SandboxLocation {
        var location = location
        if let snapshotID {
            guard let snapshot = snapshots.first(where: { $0.id == snapshotID }) else {
                throw .badRequest("Snapshot \(snapshotID) not found")
            }
            let delay =
                Double(snapshotLoadDelay.components.seconds)
                + Double(snapshotLoadDelay.components.attoseconds) / 1e18
            location.snapshotPush = .init(
                snapshotID: snapshotID,
                requestedAt: now(),
                completesAt: delay < 0 || snapshot.neverLoads ? nil : now().addingTimeInterval(delay),
                installed: false
            )
        }
        locations.append(location)
        try save(locations.count - 1)
        return location
    }

    /// A sub-account, with any snapshot load that has finished by now installed.
    func location(_ id: String) throws(SandboxFailure) -> SandboxLocation {
        guard let index = locations.firstIndex(where: { $0.id == id }) else {
            throw .badRequest("Location with id \(id) not found")
        }
        installFinishedSnapshot(at: index)
        return locations[index]
    }

    func allLocations() -> [SandboxLocation] {
        for index in locations.indices { installFinishedSnapshot(at: index) }
        return locations
    }

    func update(
        _ id: String,
        _ change: (inout SandboxLocation) throws(SandboxFailure) -> Void
    ) throws(SandboxFailure)
        -> SandboxLocation
    {
        guard let index = locations.firstIndex(where: { $0.id == id }) else {
            throw .badRequest("Location with id \(id) not found")
        }
        installFinishedSnapshot(at: index)
        try change(&locations[index])
        try save(index)
        return locations[index]
    }

    func deleteLocation(_ id: String) throws(SandboxFailure) {
        guard let index = locations.firstIndex(where: { $0.id == id }) else {
            throw .badRequest("Location with id \(id) not found")
        }
        locations.remove(at: index)
        do {
            try store?.delete(id: id)
        } catch {
            throw SandboxFailure(status: 500, message: "the sandbox could not save its state: \(error)")
        }
    }

    private func installFinishedSnapshot(at index: Int) {
        guard let push = locations[index].snapshotPush, !push.installed, let completesAt = push.completesAt,
            completesAt <= now(), let snapshot = snapshots.first(where: { $0.id == push.snapshotID })
        else { return }
        for workflow in snapshot.workflows {
            locations[index].workflows.append(.init(id: makeID(), name: workflow, value: "published"))
        }
        for pipeline in snapshot.pipelines {
            locations[index].pipelines.append(.init(id: makeID(), name: pipeline, value: ""))
        }
        for (name, type) in snapshot.customFields.sorted(by: { $0.key < $1.key })
        where !locations[index].customFields.contains(where: { $0.name == name }) {
            locations[index].customFields.append(.init(id: makeID(), name: name, value: type))
        }
        locations[index].snapshotPush?.installed = true
        // Reads install finished snapshots too; a failed write here is retried by the next change.
        try? save(index)
    }
}

extension SandboxState {
    /// GHL's upsert: with duplicates disallowed, the contact with the same email (then phone) is updated (its tags
    /// replaced by the ones given, when given); otherwise a new contact is created.
    func upsertContact(
        _ input: ContactInput,
        in locationID: String
    ) throws(SandboxFailure)
        -> (SandboxLocation.Contact, Bool)
    {
        let id = makeID()
        let now = self.now()
        var result: (SandboxLocation.Contact, Bool)?
        _ = try update(locationID) { location throws(SandboxFailure) in
            let match = Self.matches(input.email, input.phone, in: location)
            if !location.allowDuplicateContact, let index = match.first {
                var contact = location.contacts[index]
                contact.firstName = input.firstName ?? contact.firstName
                contact.lastName = input.lastName ?? contact.lastName
                contact.email = input.email ?? contact.email
                // Email and phone matching two different contacts: the first is updated and the second field
                // ignored (taking it would make two contacts share a phone).
                if match.byPhone == nil || match.byPhone == index { contact.phone = input.phone ?? contact.phone }
                contact.city = input.city ?? contact.city
                contact.postalCode = input.postalCode ?? contact.postalCode
                contact.source = input.source ?? contact.source
                if let tags = input.tags { contact.tags = tags }
                contact.customFields.merge(input.customFields) { $1 }
                location.contacts[index] = contact
                result = (contact, false)
            } else {
                let contact = Self.contact(id: id, input, at: now)
                location.contacts.append(contact)
                result = (contact, true)
            }
        }
        return result!
    }

    /// GHL's create: a duplicate (same email or phone, duplicates disallowed) is refused with the existing id.
    func createContact(_ input: ContactInput, in locationID: String) throws(SandboxFailure) -> SandboxLocation.Contact {
        let id = makeID()
        let now = self.now()
        var created: SandboxLocation.Contact?
        _ = try update(locationID) { location throws(SandboxFailure) in
            let match = Self.matches(input.email, input.phone, in: location)
            if !location.allowDuplicateContact, let index = match.first {
                var failure = SandboxFailure.badRequest("This location does not allow duplicated contacts.")
                let field = match.byEmail != nil ? "email" : "phone"
                failure.extra = ["meta": ["contactId": location.contacts[index].id, "matchingField": field]]
                throw failure
            }
            let contact = Self.contact(id: id, input, at: now)
            location.contacts.append(contact)
            created = contact
        }
        return created!
    }

    func duplicate(
        email: String?,
        phone: String?,
        in locationID: String
    ) throws(SandboxFailure)
        -> SandboxLocation.Contact?
    {
        let location = try location(locationID)
        return Self.matches(email, phone, in: location).first.map { location.contacts[$0] }
    }

    /// The contacts with the same email (case-insensitive) and with the same phone digits; `first` is the one that
    /// counts (email before phone, GHL's default sequence).
    private static func matches(
        _ email: String?,
        _ phone: String?,
        in location: SandboxLocation
    ) -> (byEmail: Int?, byPhone: Int?, first: Int?) {
        var byEmail: Int?
        if let email = email?.lowercased(), !email.isEmpty {
            byEmail = location.contacts.firstIndex { $0.email?.lowercased() == email }
        }
        let digits = { (text: String?) in text.map { $0.filter(\.isNumber) } ?? "" }
        let wanted = digits(phone)
        var byPhone: Int?
        if !wanted.isEmpty {
            byPhone = location.contacts.firstIndex {
                digits($0.phone).hasSuffix(wanted) || wanted.hasSuffix(digits($0.phone)) && !digits($0.phone).isEmpty
            }
        }
        return (byEmail, byPhone, byEmail ?? byPhone)
    }

    private static func contact(id: String, _ input: ContactInput, at date: Date) -> SandboxLocation.Contact {
        SandboxLocation.Contact(
            id: id,
            firstName: input.firstName,
            lastName: input.lastName,
            email: input.email,
            phone: input.phone,
            city: input.city,
            postalCode: input.postalCode,
            source: input.source,
            tags: input.tags ?? [],
            customFields: input.customFields,
            dateAdded: date
        )
    }
}
