import Foundation
import HighLevelSandbox
import Hummingbird
import LeadRouting
import Logging
import RoutingFiles
import ServiceLifecycle
import Storage

/// The in-process GHL sandbox of the embedded default, with the demo franchise loaded into an empty database.
struct EmbeddedSandbox: Sendable {
    let server: SandboxServer
    let application: any Service
    /// The sandbox sub-account new contacts are created in for the sample webhook.
    let intakeSubAccountID: String
    /// Where the sandbox listens.
    let baseURL: URL
    /// Set when this start loaded the demo franchise.
    let demoLoaded: Int?

    static func start(
        settings: ServeSettings,
        opening: StoreOpening,
        directory: PostalDirectory,
        advertise: Bool = false,
        logger: Logger
    ) async throws -> EmbeddedSandbox {
        let store = opening.store
        // Delivery's client needs the sandbox's address before it listens: a free port when none is given.
        let sandboxPort = settings.sandboxPort == 0 ? try FreePort.find(host: settings.host) : settings.sandboxPort
        let server = try SandboxServer(
            configuration: SandboxServer.Configuration(
                host: settings.host,
                port: sandboxPort,
                dataDirectory: settings.dataDirectory
            )
        )
        // Instances starting together on one PostgreSQL database load the demo once: the others wait for the
        // lock and find the locations there.
        let demoLoaded =
            try await opening.exclusivelyWaiting("demo-seed") {
                try await loadDemo(settings: settings, store: store, server: server, directory: directory)
            } ?? nil
        var intake = await server.subAccountID(named: ServiceRuntime.intakeSubAccountName)
        if intake == nil {
            intake = try await server.seed(subAccounts: [(ServiceRuntime.intakeSubAccountName, nil, "America/Chicago")])
                .first
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var sandboxLogger = logger
        sandboxLogger.logLevel = max(logger.logLevel, .notice)
        let handoff = SandboxHandoff(
            url: "",
            companyId: server.configuration.companyID,
            agencyToken: server.configuration.agencyToken,
            pid: ProcessInfo.processInfo.processIdentifier
        )
        let sandboxApplication = try server.makeApplication(logger: sandboxLogger) { port in
            if advertise {
                var bound = handoff
                bound.url = "http://\(settings.host == "0.0.0.0" ? "127.0.0.1" : settings.host):\(port)"
                bound.write(to: settings.dataDirectory)
            }
            continuation.yield(port)
            continuation.finish()
        }
        let application: any Service =
            advertise
            ? AdvertisedSandbox(application: sandboxApplication, dataDirectory: settings.dataDirectory)
            : sandboxApplication
        // The sandbox binds when the service group runs it; its port is only needed for the banner, which is
        // printed after Switchboard itself is up.
        let portBox = PortBox()
        Task {
            for await port in ports { await portBox.set(port) }
        }
        return EmbeddedSandbox(
            server: server,
            application: application,
            intakeSubAccountID: intake ?? "",
            baseURL: URL(string: "http://\(settings.host):\(sandboxPort)")!,
            demoLoaded: demoLoaded,
            portBox: portBox
        )
    }

    /// Loads the demo franchise into an empty database, as locations and as sandbox sub-accounts.
    /// - Returns: How many locations were loaded; `nil` when the database had locations.
    private static func loadDemo(
        settings: ServeSettings,
        store: any SwitchboardStore,
        server: SandboxServer,
        directory: PostalDirectory
    ) async throws -> Int? {
        guard try await store.allLocations().isEmpty else { return nil }
        let file: LocationsFile
        if let path = settings.demoLocations {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ServeSettings.Problem(description: "\(path): the demo locations file does not exist")
            }
            file = try LocationsFile(contentsOf: path, directory: directory)
        } else {
            file = try DemoFranchise.locations(directory: directory)
        }
        // A start stopped part way through (a kill) may have made some of them already: reuse those.
        var byName: [String: String] = [:]
        for location in file.locations {
            byName[location.name] = await server.subAccountID(named: location.name)
        }
        let missing = file.locations.filter { byName[$0.name] == nil }
        let made = try await server.seed(
            subAccounts: missing.map { ($0.name, $0.postalCode?.text, $0.timeZoneIdentifier) },
            snapshotID: SandboxSnapshot.franchiseStandard.id
        )
        for (location, id) in zip(missing, made) { byName[location.name] = id }
        let ids = file.locations.map { byName[$0.name] ?? "" }
        let now = Date()
        try await store.saveLocations(
            zip(file.locations, ids).map { StoredLocation(location: $0, ghlLocationID: $1, updatedAt: now) }
        )
        return ids.count
    }

    let portBox: PortBox

    /// The sandbox's bound port, once known.
    actor PortBox {
        private(set) var port: Int?
        func set(_ port: Int) { self.port = port }

        /// The port, waiting up to 5 s for the sandbox to bind.
        func bound() async -> Int? {
            for _ in 0..<500 where port == nil { try? await Task.sleep(for: .milliseconds(10)) }
            return port
        }
    }
}
