import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadRouting
import Storage
import SwitchboardServer
import SwitchboardTesting
import Testing

@Suite("Location API")
struct LocationsAPITests {
    @Test("Locations are created, read, patched and replaced; routing follows at once")
    func lifecycle() async throws {
        let service = try await TestService()
        try await service.test { client in
            let created = try await client.api(
                .post,
                "/v1/locations",
                json: """
                    {"id":"dallas-uptown","name":"Summit Dallas","postalCode":"75201","dailyCapacity":5,
                     "weeklyCapacity":20,"radiusMiles":15,"priority":1,"reservedForHot":1,"timezone":"America/Chicago",
                     "territory":["75201","75204"],"hours":"mon-fri 05:00-22:00","ghlLocationId":"ghl-dal"}
                    """
            )
            #expect(created.status == .created)
            let location = try created.json()
            #expect(location["territory"] as? [String] == ["75201", "75204"])
            #expect(location["ghlLocationId"] as? String == "ghl-dal")

            let again = try await client.api(
                .post,
                "/v1/locations",
                json: #"{"id":"dallas-uptown","name":"X","postalCode":"75201"}"#
            )
            #expect(again.status == .conflict)

            let preview = try await client.api(.post, "/v1/route/preview", json: #"{"postalCode":"75204"}"#).json()
            #expect(preview["locationId"] as? String == "dallas-uptown")

            let paused = try await client.api(.patch, "/v1/locations/dallas-uptown", json: #"{"status":"paused"}"#)
            #expect(paused.status == .ok)
            #expect(try paused.json()["dailyCapacity"] as? Int == 5)
            let afterPause = try await client.api(.post, "/v1/route/preview", json: #"{"postalCode":"75204"}"#).json()
            #expect(afterPause["outcome"] as? String == "outOfRange")

            let replaced = try await client.api(
                .put,
                "/v1/locations",
                json:
                    #"{"locations":[{"id":"dallas-uptown","name":"Summit Dallas","postalCode":"75201"},{"id":"fw","name":"Fort Worth","postalCode":"76102"}]}"#
            )
            #expect(replaced.status == .ok)
            let list = try await client.api(.get, "/v1/locations").json()
            #expect(
                (list["locations"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [
                    "atx-downtown", "dallas-uptown", "fw",
                ]
            )
            let one = try await client.api(.get, "/v1/locations/fw").json()
            #expect(one["status"] as? String == "active")
            #expect(try await client.api(.get, "/v1/locations/nowhere").status == .notFound)
        }
    }

    @Test(
        "Invalid locations are refused naming the field; nothing is saved",
        arguments: [
            (#"{"name":"X","postalCode":"78701"}"#, "id"),
            (#"{"id":"x","postalCode":"78701"}"#, "name"),
            (#"{"id":"x","name":"X","postalCode":"7870"}"#, "postalCode"),
            (#"{"id":"x","name":"X","postalCode":"78701","timezone":"Texas Austin"}"#, "timezone"),
            (#"{"id":"x","name":"X","postalCode":"78701","status":"open"}"#, "status"),
            (#"{"id":"x","name":"X","postalCode":"78701","radiusMiles":0}"#, "radiusMiles"),
            (#"{"id":"x","name":"X","postalCode":"78701","territory":["78701","nope"]}"#, "territory[1]"),
            (#"{"id":"x","name":"X","postalCode":"78701","hours":"someday 9-5"}"#, "hours"),
            (#"{"id":"x","name":"X","postalCode":"78701","hours":"mon +7:00-09:00"}"#, "hours"),
            (#"{"id":"x","name":"X","postalCode":"78701","hours":"\t24h"}"#, "hours"),
            (#"{"id":"x","name":"X","latitude":30}"#, "longitude"),
            (#"{"id":"x y","name":"X","postalCode":"78701"}"#, "id"),
            (#"{"id":"x","name":"X","postalCode":"78701","dailyCapacity":"ten"}"#, "dailyCapacity"),
        ]
    )
    func invalidLocations(body: String, field: String) async throws {
        let service = try await TestService()
        try await service.test { client in
            let response = try await client.api(.post, "/v1/locations", json: body)
            #expect(response.status == .badRequest)
            #expect(try response.json()["field"] as? String == field)
        }
        #expect(try await service.store.allLocations().count == 1)
    }

    @Test("Well-formed locations that cannot be carried out are refused with 422, naming the field")
    func unplaceableLocation() async throws {
        let service = try await TestService()
        try await service.test { client in
            // Well formed, but not in the reference data, and no coordinates.
            let response = try await client.api(
                .post,
                "/v1/locations",
                json: #"{"id":"x","name":"X","postalCode":"00001"}"#
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/problem+json")

            // Well-formed hours whose interval closes before it opens.
            let hours = try await client.api(
                .post,
                "/v1/locations",
                json: #"{"id":"x","name":"X","postalCode":"78701","hours":"mon 10:00-09:00"}"#
            )
            #expect(hours.status == .unprocessableContent)
            #expect(try hours.json()["field"] as? String == "hours")

            // More reserved for hot leads than the day holds.
            let reserved = try await client.api(
                .post,
                "/v1/locations",
                json: #"{"id":"x","name":"X","postalCode":"78701","dailyCapacity":2,"reservedForHot":3}"#
            )
            #expect(reserved.status == .unprocessableContent)
            #expect(try reserved.json()["field"] as? String == "reservedForHot")

            // A well-formed zone name that no zone has.
            let zone = try await client.api(
                .post,
                "/v1/locations",
                json: #"{"id":"x","name":"X","postalCode":"78701","timezone":"Texas/Austin"}"#
            )
            #expect(zone.status == .unprocessableContent)
            #expect(try zone.json()["field"] as? String == "timezone")
        }
    }

    @Test("A location another process activates gets leads within a second, without a restart")
    func locationsChangedElsewhere() async throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "sb-watch-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let service = try await TestService(
            locations: [Fixtures.location("atx-downtown", zip: "78701", daily: 10)],
            store: try SQLiteStore(path: path)
        )
        try await service.test { client in
            let before = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"33602"}"#).json()
            let unserved = try await client.routedLead(try #require(before["id"] as? String))
            #expect((unserved["decision"] as? [String: Any])?["outcome"] as? String == "outOfRange")

            // Another process (its own connection to the same file) adds a gym in Tampa.
            let other = try SQLiteStore(path: path)
            try await other.saveLocation(
                StoredLocation(location: Fixtures.location("tampa", zip: "33602", daily: 10), updatedAt: Date())
            )
            // Routing picks it up without a restart: watched through the preview, which uses routing's engine.
            let changed = ContinuousClock.now
            var previewed: String?
            while ContinuousClock.now - changed < .seconds(10) {
                let preview = try await client.api(.post, "/v1/route/preview", json: #"{"postalCode":"33602"}"#)
                previewed = try preview.json()["locationId"] as? String
                if previewed == "tampa" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let took = ContinuousClock.now - changed
            #expect(previewed == "tampa")
            // The watcher polls every 0.5 s, so about half a second on an idle machine; the margin is for a machine busy
            // with the other tests. Without the watcher it is never picked up.
            #expect(took < .seconds(3), "picked up in \(took)")
            let lead = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"33602"}"#).json()
            let routed = try await client.routedLead(try #require(lead["id"] as? String))
            #expect((routed["decision"] as? [String: Any])?["locationId"] as? String == "tampa")
        }
    }

    @Test("Health, readiness and metrics")
    func operations() async throws {
        let service = try await TestService()
        try await service.test { client in
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
            _ = try await client.api(.post, "/v1/leads", json: #"{"postalCode":"78703"}"#)
            try await client.routingSettled()
            let ready = try await client.execute(uri: "/health/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(try ready.json()["routingWorker"] as? String == "running")
            // Per-location figures are business data: no token, no metrics.
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.contentType] == "application/problem+json")
            let metrics = try await client.api(.get, "/metrics").text
            #expect(metrics.contains(#"switchboard_leads_received_total{channel="api"} 1"#))
            #expect(metrics.contains(#"switchboard_leads_routed_total{outcome="assigned"} 1"#))
            #expect(metrics.contains("http_server_request_duration_seconds_bucket"))
            #expect(metrics.contains("switchboard_routing_duration_seconds_count 1"))
            let unknown = try await client.execute(uri: "/nowhere", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
        }
    }
}
