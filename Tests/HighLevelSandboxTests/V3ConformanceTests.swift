import AsyncHTTPClient
import Foundation
import HighLevel
import HighLevelSandbox
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import Testing

/// The sandbox as GHL's current SDKs call it (`Version: v3`, the `apps/v3/*-v3.json` specs), and the places where
/// an outside client found it disagreeing with the specs.
@Suite("The sandbox speaks GHL v3 and agrees with the specs")
struct V3ConformanceTests {
    /// A raw HTTP caller: what an SDK sends, without Switchboard's client in between.
    struct Caller: Sendable {
        let baseURL: URL
        var token: String
        var version: String = "v3"

        func send(
            _ method: HTTPMethod,
            _ path: String,
            json: [String: any Sendable]? = nil,
            form: [(String, String)]? = nil
        ) async throws -> (status: Int, body: [String: Any]) {
            var request = HTTPClientRequest(url: baseURL.absoluteString + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Version", value: version)
            request.headers.add(name: "Accept", value: "application/json")
            if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
            } else if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                let text = form.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                    .joined(separator: "&")
                request.body = .bytes(ByteBuffer(string: text))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return (Int(response.status.code), object)
        }
    }

    /// A sandbox with one loaded sub-account, its location token, and callers for both tokens.
    static func withSubAccount(
        _ body:
            @Sendable (SandboxServer, _ agency: Caller, _ location: Caller, _ locationID: String) async throws ->
            Void
    ) async throws {
        try await SandboxServer.withRunning(ClientSandboxTests.configuration(snapshotLoadDelay: .zero)) {
            sandbox,
            baseURL in
            let agency = Caller(baseURL: baseURL, token: sandbox.configuration.agencyToken)
            let companyID = sandbox.configuration.companyID
            let snapshots = try await agency.send(.GET, "/snapshots/?companyId=\(companyID)")
            #expect(snapshots.status == 200)
            let snapshotID = ((snapshots.body["snapshots"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let created = try await agency.send(
                .POST,
                "/locations/",
                json: [
                    "name": "Gym", "companyId": companyID, "city": "Austin", "state": "TX", "country": "US",
                    "postalCode": "78701", "timezone": "America/Chicago", "snapshotId": snapshotID,
                ]
            )
            #expect(created.status == 200, "\(created.body)")
            let locationID = created.body["id"] as? String ?? ""
            let token = try await agency.send(
                .POST,
                "/oauth/location-token",
                form: [("companyId", companyID), ("locationId", locationID)]
            )
            #expect(token.status == 200, "\(token.body)")
            #expect(token.body["access_token"] == nil, "v3 answers camelCase")
            let location = Caller(baseURL: baseURL, token: token.body["accessToken"] as? String ?? "")
            try await body(sandbox, agency, location, locationID)
        }
    }

    @Test("every v3 call an SDK makes is answered, and the traffic matches the v3 specs (strictly)")
    func v3TrafficConforms() async throws {
        let journal = try await Self.withSubAccountJournal { sandbox, agency, location, locationID in
            let (access, refresh) = await sandbox.issueAgencyTokens()
            _ = access
            let refreshed = try await agency.send(
                .POST,
                "/oauth/token",
                json: [
                    "clientId": "sdk", "clientSecret": "secret", "grantType": "refresh_token", "refreshToken": refresh,
                ]
            )
            #expect(refreshed.status == 200, "\(refreshed.body)")
            #expect(refreshed.body["accessToken"] is String && refreshed.body["refreshToken"] is String)

            let field = try await location.send(
                .POST,
                "/locations/\(locationID)/customFields",
                json: ["name": "Tier", "dataType": "TEXT"]
            )
            #expect(field.status == 201, "\(field.body)")
            let fieldID = (field.body["customField"] as? [String: Any])?["id"] as? String ?? ""
            let upsert = try await location.send(
                .POST,
                "/contacts/upsert",
                json: [
                    "locationId": locationID, "firstName": "Ava", "email": "ava@example.com", "phone": "+15125550100",
                    "city": "Austin", "customFields": [["id": fieldID, "fieldValue": "gold"]],
                ]
            )
            #expect(upsert.status == 200, "\(upsert.body)")
            let contactID = (upsert.body["contact"] as? [String: Any])?["id"] as? String ?? ""
            let read = try await location.send(.GET, "/contacts/\(contactID)")
            let contact = read.body["contact"] as? [String: Any] ?? [:]
            #expect(contact["city"] as? String == "Austin")
            let values = (contact["customFields"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            #expect(values == ["gold"], "v3's fieldValue is stored")

            let pipelines = try await location.send(.GET, "/opportunities/pipelines?locationId=\(locationID)")
            let pipeline = (pipelines.body["pipelines"] as? [[String: Any]])?.first ?? [:]
            let stages = pipeline["stages"] as? [[String: Any]] ?? []
            #expect(!stages.isEmpty, "a pipeline comes with its stages")
            let stageID = stages.last?["id"] as? String ?? ""
            let opportunity = try await location.send(
                .POST,
                "/opportunities/",
                json: [
                    "locationId": locationID, "pipelineId": pipeline["id"] as? String ?? "", "name": "Ava",
                    "status": "open", "contactId": contactID, "pipelineStageId": stageID, "monetaryValue": 499,
                    "forecastProbability": 50,
                ]
            )
            #expect(opportunity.status == 201, "\(opportunity.body)")
            let found = try await location.send(
                .GET,
                "/opportunities/search?locationId=\(locationID)&contactId=\(contactID)&pipelineStageId=\(stageID)"
            )
            let opportunities = found.body["opportunities"] as? [[String: Any]] ?? []
            #expect(opportunities.count == 1)
            #expect(opportunities.first?["monetaryValue"] as? Double == 499)

            let workflows = try await location.send(.GET, "/workflows/?locationId=\(locationID)")
            let workflowID = (workflows.body["workflows"] as? [[String: Any]])?.first?["id"] as? String ?? ""
            let enrolled = try await location.send(.POST, "/contacts/\(contactID)/workflow/\(workflowID)", json: [:])
            #expect(enrolled.status == 200 && enrolled.body["succeeded"] as? Bool == true, "\(enrolled.body)")
            let search = try await location.send(.GET, "/locations/search?companyId=\(sandbox.configuration.companyID)")
            #expect(search.status == 200)
            #expect(try await location.send(.GET, "/locations/\(locationID)").status == 200)
            let value = try await location.send(
                .POST,
                "/locations/\(locationID)/customValues",
                json: ["name": "Hours", "value": "24h"]
            )
            #expect(value.status == 201, "\(value.body)")
            #expect(try await location.send(.GET, "/locations/\(locationID)/customValues").status == 200)
        }
        #expect(Set(journal.map(\.operation)).count >= 16, "the traffic covers most operations")
        let file = FileManager.default.temporaryDirectory.appending(path: "ghl-v3-journal-\(UUID()).json")
        try JSONEncoder().encode(journal).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = ConformanceTests.run([
            "python3", ConformanceTests.root.appending(path: "Tools/validate-ghl-journal.py").path(), file.path(),
            ConformanceTests.root.appending(path: "Specs/generated/ghl-switchboard-v3.json").path(),
        ])
        #expect(result.status == 0, "\(result.output)")
    }

    /// Runs `body` on a sub-account and returns the sandbox's journal of it.
    static func withSubAccountJournal(
        _ body: @Sendable (SandboxServer, Caller, Caller, String) async throws -> Void
    ) async throws -> [SandboxJournal.Entry] {
        let entries = Mutex<[SandboxJournal.Entry]>([])
        try await withSubAccount { sandbox, agency, location, locationID in
            try await body(sandbox, agency, location, locationID)
            let recorded = await sandbox.journal.entries
            entries.withLock { $0 = recorded }
        }
        return entries.withLock { $0 }
    }

    @Test("each version on its own paths: v3's /oauth/location-token, v2's /oauth/locationToken; others refused")
    func versionsAndPaths() async throws {
        try await Self.withSubAccount { sandbox, agency, _, locationID in
            let form = [("companyId", sandbox.configuration.companyID), ("locationId", locationID)]
            var v2 = agency
            v2.version = "2021-07-28"
            let old = try await v2.send(.POST, "/oauth/locationToken", form: form)
            #expect(old.status == 200 && old.body["access_token"] is String)
            #expect(try await v2.send(.POST, "/oauth/location-token", form: form).status == 404)
            #expect(try await agency.send(.POST, "/oauth/locationToken", form: form).status == 404)
            var other = agency
            other.version = "2020-01-01"
            let refused = try await other.send(.GET, "/locations/\(locationID)")
            #expect(refused.status == 400)
            #expect(refused.body["message"] as? String == "Version 2020-01-01 is not supported")
        }
    }

    @Test("a location token may search locations (the spec allows it) and sees only its own")
    func locationTokenSearch() async throws {
        try await Self.withSubAccount { sandbox, agency, location, locationID in
            _ = try await agency.send(
                .POST,
                "/locations/",
                json: ["name": "Other gym", "companyId": sandbox.configuration.companyID, "country": "US"]
            )
            let all = try await agency.send(.GET, "/locations/search?companyId=\(sandbox.configuration.companyID)")
            #expect((all.body["locations"] as? [Any])?.count == 2)
            let own = try await location.send(.GET, "/locations/search?companyId=\(sandbox.configuration.companyID)")
            #expect(own.status == 200, "\(own.body)")
            let ids = (own.body["locations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [locationID])
        }
    }

    @Test("upsert matching A by email and B by phone updates A and ignores the phone; duplicates name their field")
    func contactMatching() async throws {
        try await Self.withSubAccount { _, _, location, locationID in
            let a = try await location.send(
                .POST,
                "/contacts/",
                json: ["locationId": locationID, "email": "a@example.com", "phone": "+15125550001"]
            )
            let b = try await location.send(
                .POST,
                "/contacts/",
                json: ["locationId": locationID, "email": "b@example.com", "phone": "+15125550002"]
            )
            let aID = (a.body["contact"] as? [String: Any])?["id"] as? String ?? ""
            let bID = (b.body["contact"] as? [String: Any])?["id"] as? String ?? ""
            let upsert = try await location.send(
                .POST,
                "/contacts/upsert",
                json: ["locationId": locationID, "email": "a@example.com", "phone": "+15125550002", "lastName": "Ames"]
            )
            let updated = upsert.body["contact"] as? [String: Any] ?? [:]
            #expect(updated["id"] as? String == aID)
            #expect(updated["lastName"] as? String == "Ames")
            #expect(updated["phone"] as? String == "+15125550001", "the second match's phone is ignored")
            let byPhone = try await location.send(
                .GET,
                "/contacts/search/duplicate?locationId=\(locationID)&number=%2B15125550002"
            )
            #expect((byPhone.body["contact"] as? [String: Any])?["id"] as? String == bID)

            let duplicate = try await location.send(
                .POST,
                "/contacts/",
                json: ["locationId": locationID, "phone": "+15125550002"]
            )
            #expect(duplicate.status == 400)
            let meta = duplicate.body["meta"] as? [String: Any] ?? [:]
            #expect(meta["contactId"] as? String == bID)
            #expect(meta["matchingField"] as? String == "phone")
        }
    }

    @Test("a body or query the spec does not allow is answered in GHL's shape, naming the property")
    func validationErrors() async throws {
        try await Self.withSubAccount { _, _, location, locationID in
            for version in ["v3", "2021-07-28"] {
                var caller = location
                caller.version = version
                let missing = try await caller.send(.POST, "/contacts/", json: ["firstName": "Ava"])
                #expect(missing.status == 422, "\(missing.body)")
                #expect(missing.body["message"] as? [String] == ["locationId should not be empty"])
                #expect(missing.body["error"] as? String == "Unprocessable Entity")
                let mistyped = try await caller.send(
                    .POST,
                    "/contacts/",
                    json: ["locationId": locationID, "tags": "not-a-list"]
                )
                #expect(mistyped.status == 422)
                #expect(mistyped.body["message"] as? [String] == ["tags must be an array"])
                let query = try await caller.send(.GET, "/opportunities/pipelines")
                #expect(query.status == 400, "\(query.body)")
                #expect(query.body["message"] as? String == "locationId should not be empty")
            }
        }
    }
}
