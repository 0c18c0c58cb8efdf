import Foundation
import LeadRouting
import LeadTracking
import Notifications
import RoutingFiles
import Storage
import SwitchboardTesting
import Testing

@testable import SwitchboardCommands

@Suite("serve settings")
struct ServeSettingsTests {
    private func configFile(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("Defaults: port 8080, data in ., a token to generate, the embedded sandbox")
    func defaults() async throws {
        let settings = try await ServeSettings.resolve(flags: [:], environment: [:], configFile: nil)
        #expect(settings.port == 8080)
        #expect(settings.dataDirectory == ".")
        #expect(settings.apiToken == nil)
        #expect(settings.ghl == nil)
        #expect(settings.sandboxPort == 8090)
        #expect(settings.policy == RoutingPolicy())
    }

    @Test("SLA: 15 minutes of business time and one re-route by default; --sla, ROUTING_SLA, 0 turns it off")
    func slaSettings() async throws {
        let defaults = try await ServeSettings.resolve(flags: [:], environment: [:], configFile: nil)
        #expect(defaults.sla.seconds == 900)
        #expect(defaults.sla.clock == .business)
        #expect(defaults.sla.maxReroutes == 1)
        let given = try await ServeSettings.resolve(
            flags: ["routing.sla": "90s", "routing.slaMaxReroutes": "2"],
            environment: ["ROUTING_SLA": "2h", "ROUTING_SLA_CLOCK": "always"],
            configFile: nil
        )
        #expect(given.sla.seconds == 90)
        #expect(given.sla.clock == .always)
        #expect(given.sla.maxReroutes == 2)
        let off = try await ServeSettings.resolve(flags: [:], environment: ["ROUTING_SLA": "0"], configFile: nil)
        #expect(off.sla.seconds == nil)
        await #expect(throws: (any Error).self) {
            try await ServeSettings.resolve(flags: ["routing.sla": "15 minutes"], environment: [:], configFile: nil)
        }
        await #expect(throws: (any Error).self) {
            try await ServeSettings.resolve(flags: ["routing.slaClock": "weekly"], environment: [:], configFile: nil)
        }
    }

    @Test("--demo-traffic runs only on the embedded sandbox")
    func demoTraffic() async throws {
        #expect(try await ServeSettings.resolve(flags: [:], environment: [:], configFile: nil).demoTraffic == false)
        let on = try await ServeSettings.resolve(
            flags: [:],
            environment: ["SWITCHBOARD_DEMO_TRAFFIC": "true"],
            configFile: nil
        )
        #expect(on.demoTraffic)
        do {
            _ = try await ServeSettings.resolve(
                flags: [
                    "switchboard.demoTraffic": "true", "ghl.baseUrl": "https://services.leadconnectorhq.com",
                    "ghl.token": "t", "ghl.companyId": "c",
                ],
                environment: [:],
                configFile: nil
            )
            Issue.record("accepted demo traffic against a real GHL")
        } catch let problem as ServeSettings.Problem {
            #expect(problem.description.contains("embedded sandbox"))
        }
    }

    @Test("Flags win over the environment, which wins over the config file, which wins over defaults")
    func precedence() async throws {
        let file = try configFile(
            #"{"switchboard": {"port": 7000, "dataDir": "/from-file", "apiToken": "file-token", "sandboxPort": 0}, "routing": {"stickyDays": 30}}"#
        )
        let fileOnly = try await ServeSettings.resolve(flags: [:], environment: [:], configFile: file)
        #expect(fileOnly.port == 7000)
        #expect(fileOnly.dataDirectory == "/from-file")
        #expect(fileOnly.apiToken == "file-token")
        #expect(fileOnly.sandboxPort == 0)
        #expect(fileOnly.policy.stickyDays == 30)

        let environment = [
            "SWITCHBOARD_PORT": "7100", "SWITCHBOARD_API_TOKEN": "env-token", "ROUTING_STICKY_DAYS": "10",
        ]
        let withEnvironment = try await ServeSettings.resolve(flags: [:], environment: environment, configFile: file)
        #expect(withEnvironment.port == 7100)
        #expect(withEnvironment.apiToken == "env-token")
        #expect(withEnvironment.dataDirectory == "/from-file")
        #expect(withEnvironment.policy.stickyDays == 10)

        let withFlags = try await ServeSettings.resolve(
            flags: ["switchboard.port": "7200", "switchboard.sandboxPort": "0"],
            environment: environment,
            configFile: file
        )
        #expect(withFlags.port == 7200)
        #expect(withFlags.sandboxPort == 0)
        #expect(withFlags.apiToken == "env-token")
    }

    @Test("GHL credentials switch off the embedded sandbox; all three are needed")
    func ghlConnection() async throws {
        let environment = [
            "GHL_BASE_URL": "https://services.leadconnectorhq.com", "GHL_TOKEN": "pit-123", "GHL_COMPANY_ID": "c1",
        ]
        let settings = try await ServeSettings.resolve(flags: [:], environment: environment, configFile: nil)
        #expect(settings.ghl?.baseURL.absoluteString == "https://services.leadconnectorhq.com")
        #expect(settings.ghl?.companyID == "c1")
        await #expect(throws: ServeSettings.Problem.self) {
            try await ServeSettings.resolve(flags: ["ghl.token": "t"], environment: [:], configFile: nil)
        }
    }

    @Test(
        "Bad values name the setting and its environment variable",
        arguments: [
            (["SWITCHBOARD_PORT": "eighty"], "switchboard.port (SWITCHBOARD_PORT)"),
            (["SWITCHBOARD_PORT": "70000"], "switchboard.port (SWITCHBOARD_PORT)"),
            (["ROUTING_BUSINESS_HOURS": "sometimes"], "routing.businessHours (ROUTING_BUSINESS_HOURS)"),
            (["ROUTING_HOT_SCORE_THRESHOLD": "200"], "routing.hotScoreThreshold (ROUTING_HOT_SCORE_THRESHOLD)"),
            (["GHL_BASE_URL": "ftp://x", "GHL_TOKEN": "t", "GHL_COMPANY_ID": "c"], "ghl.baseUrl (GHL_BASE_URL)"),
            (["SWITCHBOARD_LOG_LEVEL": "loud"], "switchboard.logLevel (SWITCHBOARD_LOG_LEVEL)"),
            (["FUNNEL_STAGES": "Trial booked=maybe"], "funnel.stages (FUNNEL_STAGES)"),
        ]
    )
    func badValues(environment: [String: String], named: String) async throws {
        do {
            _ = try await ServeSettings.resolve(flags: [:], environment: environment, configFile: nil)
            Issue.record("accepted \(environment)")
        } catch let problem as ServeSettings.Problem {
            #expect(problem.description.hasPrefix(named))
        }
    }

    @Test("Funnel stages come from --funnel-stage or FUNNEL_STAGES; the default is the demo pipeline's")
    func funnelStages() async throws {
        let defaults = try await ServeSettings.resolve(flags: [:], environment: [:], configFile: nil)
        #expect(defaults.stageSteps == WorkedRules.demoStageSteps)
        let given = try await ServeSettings.resolve(
            flags: [:],
            environment: ["FUNNEL_STAGES": "Consult booked=booked, Member=won"],
            configFile: nil
        )
        #expect(given.stageSteps == ["Consult booked": .booked, "Member": .won])
    }

    @Test("The built-in demo franchise is examples/franchise-25.csv, and the default when no file is given")
    func builtInDemoFranchise() async throws {
        let settings = try await ServeSettings.resolve(flags: [:], environment: [:], configFile: nil)
        #expect(settings.demoLocations == nil)
        let repository = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let example = try String(contentsOf: repository.appending(path: "examples/franchise-25.csv"), encoding: .utf8)
        #expect(try DemoFranchise.text == example)
        #expect(try DemoFranchise.locations(directory: Fixtures.directory).locations.count == 25)
    }

    @Test("A missing or malformed config file is an error naming the file")
    func badConfigFile() async throws {
        do {
            _ = try await ServeSettings.resolve(flags: [:], environment: [:], configFile: "/nonexistent.json")
            Issue.record("accepted a missing file")
        } catch let problem as ServeSettings.Problem {
            #expect(problem.description.hasPrefix("/nonexistent.json: "))
        }
        let broken = try configFile("{not json")
        do {
            _ = try await ServeSettings.resolve(flags: [:], environment: [:], configFile: broken)
            Issue.record("accepted a broken file")
        } catch let problem as ServeSettings.Problem {
            #expect(problem.description.hasPrefix("\(broken): "))
        }
    }

    @Test("Endpoint groups come from --notify-url (the group 'default') and from the config file, each checked")
    func notificationGroups() async throws {
        let file = try configFile(
            #"""
            {"notifications": {"groups": ["ops"], "ops": {"urls": ["https://hooks.example.com/ops"], "format": "slack",
             "events": ["lead.unroutable", "lead.dead_lettered"], "timeoutSeconds": 3}}}
            """#
        )
        let settings = try await ServeSettings.resolve(
            flags: [
                "notifications.default.urls": "https://a.example.com/hook,https://b.example.com/hook",
                "notifications.default.secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            ],
            environment: [:],
            configFile: file
        )
        #expect(settings.notificationGroups.map(\.name) == ["default", "ops"])
        let cli = try #require(settings.notificationGroups.first)
        #expect(cli.urls.map(\.host) == ["a.example.com", "b.example.com"])
        #expect(cli.secret == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(cli.format == .standard && cli.events.count == LeadEvent.allCases.count)
        let ops = try #require(settings.notificationGroups.last)
        #expect(ops.format == .slack && ops.events == [.unroutable, .deadLettered] && ops.timeout == .seconds(3))

        // The environment alone works too.
        let fromEnvironment = try await ServeSettings.resolve(
            flags: [:],
            environment: [
                "NOTIFICATIONS_DEFAULT_URLS": "https://a.example.com/x", "NOTIFICATIONS_DEFAULT_FORMAT": "slack",
            ],
            configFile: nil
        )
        #expect(fromEnvironment.notificationGroups.first?.format == .slack)
        #expect(
            try await ServeSettings.resolve(flags: [:], environment: [:], configFile: nil).notificationGroups.isEmpty
        )
    }

    @Test(
        "A bad endpoint group setting is an error naming the setting",
        arguments: [
            (["notifications.default.urls": "ftp://a.example.com"], "notifications.default.urls"),
            (
                ["notifications.default.urls": "https://a.example.com", "notifications.default.format": "xml"],
                "notifications.default.format"
            ),
            (
                ["notifications.default.urls": "https://a.example.com", "notifications.default.events": "lead.lost"],
                "notifications.default.events"
            ),
            (["notifications.groups": "ops"], "notifications.ops.urls"),
        ]
    )
    func badNotificationSettings(flags: [String: String], named: String) async throws {
        do {
            _ = try await ServeSettings.resolve(flags: flags, environment: [:], configFile: nil)
            Issue.record("accepted \(flags)")
        } catch let problem as ServeSettings.Problem {
            #expect(problem.description.hasPrefix(named))
        }
    }
}
