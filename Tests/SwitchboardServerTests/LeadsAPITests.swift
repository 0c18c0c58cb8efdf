import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadRouting
import NIOCore
import Storage
import SwitchboardServer
import SwitchboardTesting
import Testing

@Suite("Lead API")
struct LeadsAPITests {
    @Test("POST /v1/leads answers 202 with the lead id once stored; the lead is then routed")
    func createLead() async throws {
        let service = try await TestService()
        try await service.test { client in
            let response = try await client.api(
                .post,
                "/v1/leads",
                json:
                    #"{"postalCode":"78703","firstName":"Ana","email":"ana@example.com","score":85,"source":"web-form"}"#
            )
            #expect(response.status == .accepted)
            let id = try #require(try response.json()["id"] as? String)
            let lead = try await client.routedLead(id)
            #expect(lead["outcome"] as? String == "assigned")
            #expect(lead["score"] as? Int == 85)
            #expect(lead["source"] as? String == "web-form")
            #expect((lead["decision"] as? [String: Any])?["hotLead"] as? Bool == true)
        }
    }

    @Test(
        "Bad requests get problem+json naming what is wrong",
        arguments: [
            (#"{"postalCode": 78703}"#, "application/json", 400, "postalCode"),
            (#"{"firstName":"Ana"}"#, "application/json", 400, "postalCode"),
            (#"{"postalCode":"78703","score":"hot"}"#, "application/json", 400, "score"),
            (#"{"postalCode":"78703","score":101}"#, "application/json", 400, "score"),
            (#"{"latitude":30.2}"#, "application/json", 400, "longitude"),
            (#"{"postalCode":"78703""#, "application/json", 400, nil),
            (#"postalCode=78703"#, "application/x-www-form-urlencoded", 415, "Content-Type"),
        ] as [(String, String, Int, String?)]
    )
    func badRequests(body: String, contentType: String, status: Int, field: String?) async throws {
        let service = try await TestService()
        try await service.test { client in
            let response = try await client.api(.post, "/v1/leads", json: body, headers: [.contentType: contentType])
            #expect(response.status.code == status)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try response.json()
            #expect(problem["status"] as? Int == status)
            #expect(problem["field"] as? String == field)
            #expect((problem["detail"] as? String)?.isEmpty == false)
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.isEmpty)
    }

    @Test("A body over 1 MB is refused with 413")
    func oversizedBody() async throws {
        let service = try await TestService()
        let big = #"{"postalCode":"78703","source":""# + String(repeating: "x", count: 1_100_000) + #""}"#
        try await service.test { client in
            let response = try await client.api(.post, "/v1/leads", json: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("Without the API token the admin and lead APIs answer 401")
    func tokenRequired() async throws {
        let service = try await TestService()
        try await service.test { client in
            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/leads"), (.post, "/v1/leads"), (.get, "/v1/locations"),
            ] {
                let missing = try await client.execute(
                    uri: path,
                    method: method,
                    headers: [.contentType: "application/json"]
                )
                #expect(missing.status == .unauthorized)
                let wrong = try await client.api(method, path, headers: [.authorization: "Bearer nope"])
                #expect(wrong.status == .unauthorized)
                #expect(wrong.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("Idempotency-Key: same key and body → same lead; same key, other body → 409")
    func idempotencyKey() async throws {
        let service = try await TestService()
        try await service.test { client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "form-123"]
            let first = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"78703"}"#, headers: key)
            let second = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"78703"}"#, headers: key)
            #expect(first.status == .accepted)
            #expect(second.status == .accepted)
            #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try first.json()["id"] as? String == (try second.json()["id"] as? String))
            let other = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"78704"}"#, headers: key)
            #expect(other.status == .conflict)
            #expect(try other.json()["field"] as? String == "Idempotency-Key")
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.count == 1)
    }

    @Test("1,000 concurrent leads at one location with daily capacity 10: exactly 10 assigned, 990 in review")
    func concurrentLeadsRespectCapacity() async throws {
        let service = try await TestService(locations: [Fixtures.location("atx-downtown", zip: "78701", daily: 10)])
        try await service.test { client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        try await client.api(
                            .post,
                            "/v1/leads",
                            json: #"{"postalCode":"78703","email":"lead\#(index)@example.com"}"#
                        ).status.code
                    }
                }
                return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(statuses == [202: 1_000])
            try await client.routingSettled()
            let assigned = try await client.api(.get, "/v1/leads?status=assigned&limit=500").json()
            #expect((assigned["leads"] as? [Any])?.count == 10)
            var review = 0
            var cursor: String?
            repeat {
                let page = try await client.api(
                    .get,
                    "/v1/leads?outcome=noCapacity&limit=500" + (cursor.map { "&cursor=\($0)" } ?? "")
                ).json()
                review += (page["leads"] as? [Any])?.count ?? 0
                cursor = page["next"] as? String
            } while cursor != nil
            #expect(review == 990)
            let capacity = try await client.api(.get, "/v1/capacity").json()
            let location = try #require((capacity["locations"] as? [[String: Any]])?.first)
            #expect((location["day"] as? [String: Any])?["used"] as? Int == 10)
            #expect((location["day"] as? [String: Any])?["limit"] as? Int == 10)
        }
    }

    @Test("Listing filters by outcome, location and time, and rejects bad parameters by name")
    func listing() async throws {
        let service = try await TestService(locations: [
            Fixtures.location("atx-downtown", zip: "78701", daily: 10),
            Fixtures.location("dallas-uptown", zip: "75201", daily: 10),
        ])
        try await service.test { client in
            for zip in ["78703", "75204", "99999", "10001"] {
                _ = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"\#(zip)"}"#)
            }
            try await client.routingSettled()
            let dallas = try await client.api(.get, "/v1/leads?locationId=dallas-uptown").json()
            #expect((dallas["leads"] as? [[String: Any]])?.map { $0["postalCode"] as? String } == ["75204"])
            let unknown = try await client.api(.get, "/v1/leads?outcome=unknownPostalCode").json()
            #expect((unknown["leads"] as? [Any])?.count == 1)
            let review = try await client.api(.get, "/v1/leads?status=review").json()
            #expect((review["leads"] as? [Any])?.count == 2)
            let future = try await client.api(.get, "/v1/leads?since=2030-01-01T00:00:00Z").json()
            #expect((future["leads"] as? [Any])?.isEmpty == true)
            for (query, field) in [
                ("outcome=maybe", "outcome"), ("limit=0", "limit"), ("since=yesterday", "since"),
                ("cursor=zzz", "cursor"),
            ] {
                let bad = try await client.api(.get, "/v1/leads?\(query)")
                #expect(bad.status == .badRequest)
                #expect(try bad.json()["field"] as? String == field)
            }
            let missing = try await client.api(.get, "/v1/leads/ld_nope")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
        }
    }

    @Test(
        "A lead from the review queue is assigned by hand through the ledger; a full location refuses unless overridden"
    )
    func manualAssignment() async throws {
        let service = try await TestService(locations: [
            Fixtures.location("atx-downtown", zip: "78701", daily: 1),
            Fixtures.location("dallas-uptown", zip: "75201", daily: 1),
        ])
        try await service.test { client in
            var ids: [String] = []
            for index in 0..<3 {
                let response = try await client.api(
                    .post,
                    "/v1/leads",
                    json: #"{"postalCode":"78703","email":"a\#(index)@example.com"}"#
                )
                ids.append(try #require(try response.json()["id"] as? String))
            }
            try await client.routingSettled()
            let review = try await client.api(.get, "/v1/leads?outcome=noCapacity").json()
            let waiting = try #require((review["leads"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            #expect(waiting.count == 2)

            let moved = try await client.api(
                .post,
                "/v1/leads/\(waiting[0])/assign",
                json: #"{"locationId":"dallas-uptown","note":"asked for Dallas"}"#
            )
            #expect(moved.status == .ok)
            let lead = try moved.json()
            #expect(lead["status"] as? String == "assigned")
            #expect(lead["locationId"] as? String == "dallas-uptown")
            #expect(lead["assignedManually"] as? Bool == true)
            #expect((lead["decision"] as? [String: Any])?["rule"] as? String == "manual")

            let full = try await client.api(
                .post,
                "/v1/leads/\(waiting[1])/assign",
                json: #"{"locationId":"dallas-uptown"}"#
            )
            #expect(full.status == .conflict)
            #expect(try full.json()["type"] as? String == "urn:switchboard:problem:no-capacity")
            let forced = try await client.api(
                .post,
                "/v1/leads/\(waiting[1])/assign",
                json: #"{"locationId":"dallas-uptown","overrideCapacity":true}"#
            )
            #expect(forced.status == .ok)

            let unknown = try await client.api(
                .post,
                "/v1/leads/\(waiting[1])/assign",
                json: #"{"locationId":"nowhere"}"#
            )
            #expect(unknown.status == .unprocessableContent)
            #expect(try unknown.json()["field"] as? String == "locationId")

            let capacity = try await client.api(.get, "/v1/capacity").json()
            let used = (capacity["locations"] as? [[String: Any]] ?? []).reduce(into: [String: Int]()) {
                $0[$1["locationId"] as? String ?? ""] = ($1["day"] as? [String: Any])?["used"] as? Int
            }
            #expect(used == ["atx-downtown": 1, "dallas-uptown": 2])

            // Rejecting a lead gives its slot back.
            let release = try await client.api(.post, "/v1/leads/\(waiting[1])/release")
            #expect(release.status == .ok)
            let after = try await client.api(.get, "/v1/capacity").json()
            let dallas = (after["locations"] as? [[String: Any]])?.first {
                $0["locationId"] as? String == "dallas-uptown"
            }
            #expect((dallas?["day"] as? [String: Any])?["used"] as? Int == 1)
        }
    }

    @Test("The preview decides without storing anything or using capacity")
    func preview() async throws {
        let service = try await TestService(locations: [Fixtures.location("atx-downtown", zip: "78701", daily: 1)])
        try await service.test { client in
            for _ in 0..<3 {
                let response = try await client.api(.post, "/v1/route/preview", json: #"{"postalCode":"78703"}"#)
                #expect(response.status == .ok)
                let decision = try response.json()
                #expect(decision["outcome"] as? String == "assigned")
                #expect(decision["locationId"] as? String == "atx-downtown")
                #expect(decision["explanation"] is [String: Any])
            }
            let bad = try await client.api(.post, "/v1/route/preview", json: #"{"postalCode":"ABCDE"}"#)
            #expect(try bad.json()["outcome"] as? String == "invalidPostalCode")
        }
        #expect(try await service.store.leads(matching: LeadQuery()).leads.isEmpty)
        let slot = CapacitySlot(
            locationID: "atx-downtown",
            windows: CapacityWindows(
                secondsSince1970: Int64(Fixtures.mondayMorning.timeIntervalSince1970),
                offsets: UTCOffsets(identifier: "America/Chicago")!
            )
        )
        #expect(try await service.store.usage(in: [slot])["atx-downtown"] == CapacityUsage())
    }
}
