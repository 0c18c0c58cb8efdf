import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Where a running `serve`'s embedded GHL sandbox listens, written to `DATA_DIR/ghl-sandbox.json` (owner-only) while
/// it runs, so that a command beside it on the same data directory (`switchboard rollout apply`) works on that very
/// sandbox — the sub-accounts the service delivers into — rather than on a second copy of its file.
struct SandboxHandoff: Codable, Sendable, Equatable {
    var url: String
    var companyId: String
    var agencyToken: String
    var pid: Int32

    static func file(in dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("ghl-sandbox.json")
    }

    /// Writes the file (readable by the owner only: it holds the sandbox's agency token).
    func write(to dataDirectory: String) {
        let file = Self.file(in: dataDirectory)
        guard let data = try? JSONEncoder().encode(self) else { return }
        _ = FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600])
    }

    static func remove(from dataDirectory: String) {
        try? FileManager.default.removeItem(at: file(in: dataDirectory))
    }

    /// The sandbox a running `serve` advertises in the data directory, if it answers with the advertised token
    /// (a file left by a killed process, or a port now used by something else, is ignored).
    static func running(in dataDirectory: String) async -> SandboxHandoff? {
        guard let data = try? Data(contentsOf: file(in: dataDirectory)),
            let handoff = try? JSONDecoder().decode(SandboxHandoff.self, from: data)
        else { return nil }
        var request = HTTPClientRequest(url: handoff.url + "/_sandbox/journal?operation=probe")
        request.headers.add(name: "Authorization", value: "Bearer \(handoff.agencyToken)")
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)),
            response.status == .ok
        else { return nil }
        return handoff
    }
}

/// Runs the embedded sandbox's service and withdraws its handoff file when it stops.
struct AdvertisedSandbox: Service {
    let application: any Service
    let dataDirectory: String

    func run() async throws {
        defer { SandboxHandoff.remove(from: dataDirectory) }
        try await application.run()
    }
}
