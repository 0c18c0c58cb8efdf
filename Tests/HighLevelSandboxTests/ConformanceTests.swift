import Foundation
import HighLevel
import HighLevelSandbox
import SwitchboardTesting
import Testing

/// Recorded traffic between the client and the sandbox, checked against GHL's official schemas by
/// `Tools/validate-ghl-journal.py` (strictly: no field the schema does not define, in either direction).
@Suite("Conformance with GHL's schemas")
struct ConformanceTests {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../..").standardized

    static var validatorAvailable: Bool {
        run(["python3", "-c", "import openapi_schema_validator"]).status == 0
    }

    @Test(
        "every request the client sends and every answer the sandbox gives match the schemas",
        // In CI it always runs (and fails if the validator is missing); elsewhere it needs the validator.
        .enabled(
            if: validatorAvailable || ProcessInfo.processInfo.environment["CI"] != nil,
            "needs python3 with openapi-schema-validator (.ci/run installs it)"
        )
    )
    func journalConforms() async throws {
        let journal = try await SandboxServer.withRunning(
            ClientSandboxTests.configuration(snapshotLoadDelay: .zero)
        ) { sandbox, baseURL in
            let client = ClientSandboxTests.client(sandbox, baseURL)
            let snapshot = try await client.snapshots()[0]
            let location = try await client.createSubAccount(
                NewSubAccount(
                    name: "Gym",
                    city: "Austin",
                    state: "TX",
                    country: "US",
                    postalCode: "78701",
                    timezone: "America/Chicago",
                    snapshotID: snapshot.id
                )
            ).id
            _ = try await client.subAccount(id: location)
            _ = try await client.allSubAccounts()
            _ = try await client.updateSubAccount(id: location, timezone: "America/Chicago")
            _ = try await client.snapshotPushStatus(snapshotID: snapshot.id, locationID: location)
            let value = try await client.createCustomValue(name: "Hours", value: "24h", locationID: location)
            _ = try await client.updateCustomValue(
                id: value.id,
                name: "Hours",
                value: "mon-fri 06:00-21:00",
                locationID: location
            )
            _ = try await client.customValues(locationID: location)
            _ = try await client.createCustomField(name: "Tier", dataType: "TEXT", locationID: location)
            let fields = try await client.customFields(locationID: location)
            let contact = try await client.upsertContact(
                ContactDraft(
                    firstName: "Ava",
                    lastName: "Lopez",
                    email: "ava@example.com",
                    phone: "+15125550100",
                    postalCode: "78701",
                    source: "facebook",
                    tags: ["switchboard:routed"],
                    customFields: [fields[0].id: "3.2"]
                ),
                locationID: location
            ).contact
            _ = try await client.createContact(
                ContactDraft(firstName: "Noah", email: "noah@example.com"),
                locationID: location
            )
            _ = try await client.contact(id: contact.id, locationID: location)
            _ = try await client.duplicateContact(locationID: location, email: "ava@example.com", phone: nil)
            let workflow = try await client.workflows(locationID: location)[0]
            try await client.addContactToWorkflow(contactID: contact.id, workflowID: workflow.id, locationID: location)
            let pipeline = try await client.pipelines(locationID: location)[0]
            let opportunity = try await client.createOpportunity(
                name: "Ava",
                contactID: contact.id,
                pipelineID: pipeline.id,
                stageID: nil,
                locationID: location
            )
            // After delivery: what the location did (read back), and the clean-up after a re-route.
            _ = try await client.opportunity(id: opportunity, locationID: location)
            _ = try await client.appointments(contactID: contact.id, locationID: location)
            _ = try await client.messages(
                contactID: contact.id,
                locationID: location,
                since: Date(timeIntervalSince1970: 0)
            )
            try await client.addTags(["switchboard:rerouted"], contactID: contact.id, locationID: location)
            try await client.removeFromWorkflow(contactID: contact.id, workflowID: workflow.id, locationID: location)
            try await client.setOpportunityStatus("abandoned", opportunityID: opportunity, locationID: location)
            try await client.deleteSubAccount(id: location)
            return await sandbox.journal.entries
        }
        #expect(Set(journal.map(\.operation)).count >= 26, "the traffic covers (nearly) every operation")
        let file = FileManager.default.temporaryDirectory.appending(path: "ghl-journal-\(UUID()).json")
        try JSONEncoder().encode(journal).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = Self.run([
            "python3", Self.root.appending(path: "Tools/validate-ghl-journal.py").path(), file.path(),
        ])
        #expect(result.status == 0, "\(result.output)")
    }

    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        ProcessRunner.run(arguments)
    }
}
