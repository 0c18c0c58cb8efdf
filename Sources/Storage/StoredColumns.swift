import Foundation
import LeadRouting

/// Reads stored decisions (one decoder for every row: making one costs more than a small decision's decoding).
private let storedDecisionDecoder = JSONDecoder()

/// One stored row, read by column name. Both stores' rows conform, so that a lead, a location, a job or a delivery
/// is read back from its columns in one place, whichever database holds it.
protocol StoredColumns {
    func string(_ column: String) throws -> String?
    func double(_ column: String) throws -> Double?
    func int(_ column: String) throws -> Int?
    func bool(_ column: String) throws -> Bool?
    func bytes(_ column: String) throws -> [UInt8]?
}

extension StoredColumns {
    /// A column that may not be NULL. - Throws: ``StoreError/corrupt(_:)`` when it is.
    func required<T>(_ value: T?, _ column: String) throws -> T {
        guard let value else { throw StoreError.corrupt("stored \(column) is missing") }
        return value
    }

    func leadRecord() throws -> LeadRecord {
        let id = try required(string("id"), "lead id")
        var coordinate: Coordinate?
        if let latitude = try double("latitude"), let longitude = try double("longitude") {
            coordinate = Coordinate(latitude: latitude, longitude: longitude)
        }
        let lead = Lead(
            id: id,
            postalCode: try string("postal_code"),
            coordinate: coordinate,
            email: try string("email"),
            phone: try string("phone"),
            score: try int("score"),
            source: try string("source"),
            arrivedAt: Date(timeIntervalSince1970: try required(double("received_at"), "received_at"))
        )
        let contactID = try string("ghl_contact_id")
        let originLocation = try string("ghl_origin_location_id")
        var decision: RoutingDecision?
        if let json = try string("decision") {
            decision = try storedDecisionDecoder.decode(RoutingDecision.self, from: Data(json.utf8))
        }
        var slot: CapacitySlot?
        if let location = try string("slot_location_id"), let day = try int("slot_day"), let week = try int("slot_week")
        {
            slot = CapacitySlot(locationID: location, day: day, week: week)
        }
        guard let status = LeadRecord.Status(rawValue: try string("status") ?? "") else {
            throw StoreError.corrupt("lead '\(id)': stored status is not valid")
        }
        var record = LeadRecord(
            id: id,
            channel: try required(string("channel"), "channel"),
            firstName: try string("first_name"),
            lastName: try string("last_name"),
            lead: lead,
            origin: contactID == nil && originLocation == nil
                ? nil : LeadRecord.GHLOrigin(contactID: contactID, locationID: originLocation),
            status: status,
            decision: decision,
            routedAt: try double("routed_at").map(Date.init(timeIntervalSince1970:)),
            slot: slot,
            assignedManually: try bool("assigned_manually") ?? false,
            intakeProblem: try string("intake_field").map { field in
                LeadRecord.IntakeProblem(
                    field: field,
                    detail: try string("intake_problem") ?? "",
                    rawBody: try string("raw_body") ?? ""
                )
            }
        )
        record.reviewReason = try string("review_reason")
        return record
    }

    func storedLocation() throws -> StoredLocation {
        let id = try required(string("id"), "location id")
        func corrupt(_ column: String) -> StoreError { .corrupt("location '\(id)': stored \(column) is not valid") }
        var coordinate: Coordinate?
        if let latitude = try double("latitude"), let longitude = try double("longitude") {
            coordinate = Coordinate(latitude: latitude, longitude: longitude)
        }
        guard let status = LocationStatus(rawValue: try string("status") ?? "") else { throw corrupt("status") }
        var territory: Set<PostalCode> = []
        for part in (try string("territory") ?? "").split(separator: " ") {
            guard let code = PostalCode(parsing: part) else { throw corrupt("territory") }
            territory.insert(code)
        }
        var hours: WeeklyHours?
        if let text = try string("hours") {
            guard let parsed = try? WeeklyHours(parsing: text) else { throw corrupt("hours") }
            hours = parsed
        }
        let location = Location(
            id: id,
            name: try required(string("name"), "name"),
            postalCode: try string("postal_code").flatMap { PostalCode(parsing: $0) },
            coordinate: coordinate,
            status: status,
            capacity: CapacityLimits(
                daily: try int("daily_capacity"),
                weekly: try int("weekly_capacity"),
                reservedForHot: try int("reserved_for_hot") ?? 0
            ),
            radiusMiles: try double("radius_miles"),
            priority: try int("priority") ?? 0,
            territory: territory,
            businessHours: hours,
            timeZoneIdentifier: try required(string("timezone"), "timezone")
        )
        return StoredLocation(
            location: location,
            ghlLocationID: try string("ghl_location_id"),
            updatedAt: Date(timeIntervalSince1970: try double("updated_at") ?? 0),
            slaMinutes: try int("sla_minutes"),
            slaExempt: try bool("sla_exempt") ?? false
        )
    }

    func job() throws -> Job {
        Job(
            id: Int64(try required(int("id"), "job id")),
            kind: Job.Kind(rawValue: try required(string("kind"), "job kind")),
            leadID: try string("lead_id"),
            step: try string("step"),
            status: Job.Status(rawValue: try string("status") ?? "") ?? .queued,
            lastError: try string("last_error"),
            runAt: Date(timeIntervalSince1970: try required(double("run_at"), "run_at")),
            attempts: try int("attempts") ?? 0,
            leaseExpiresAt: try double("lease_expires_at").map(Date.init(timeIntervalSince1970:))
        )
    }

    func deliveryRecord() throws -> DeliveryRecord {
        DeliveryRecord(
            leadID: try required(string("lead_id"), "lead id"),
            ghlLocationID: try required(string("ghl_location_id"), "ghl_location_id"),
            state: DeliveryRecord.State(rawValue: try string("state") ?? "") ?? .pending,
            contactID: try string("contact_id"),
            opportunityID: try string("opportunity_id"),
            detail: try string("detail"),
            updatedAt: Date(timeIntervalSince1970: try double("updated_at") ?? 0)
        )
    }

    /// The capacity slot a lead row holds (`slot_*` columns), if any.
    func heldSlot() throws -> CapacitySlot? {
        guard let location = try string("slot_location_id"), let day = try int("slot_day"),
            let week = try int("slot_week")
        else { return nil }
        return CapacitySlot(locationID: location, day: day, week: week)
    }
}

extension ContactKey {
    /// The key as stored in the `email_key` or `phone_key` column.
    var storedText: String {
        switch self {
        case .email(let email): email
        case .phone(let phone): phone
        }
    }

    /// The column that holds this kind of key.
    var storedColumn: String {
        if case .email = self { "email_key" } else { "phone_key" }
    }
}
