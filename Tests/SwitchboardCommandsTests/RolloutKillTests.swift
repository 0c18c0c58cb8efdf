import Foundation
import HighLevelSandbox
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("switchboard rollout, killed with SIGKILL")
struct RolloutKillTests {
    static let repository = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = repository.appending(path: ".build/debug/switchboard").path

    /// Starts `switchboard rollout apply --wave all` on the data directory.
    private func start(_ directory: String) throws -> Process {
        let examples = Self.repository.appending(path: "examples")
        let process = Process()
        process.executableURL = URL(filePath: Self.binary)
        process.arguments = [
            "rollout", "apply", "--wave", "all", "--locations", examples.appending(path: "acquired-75.csv").path,
            "--template", examples.appending(path: "location-template.yml").path, "--data-dir", directory,
            "--demo-locations", examples.appending(path: "franchise-25.csv").path, "--json",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("kill -9 at different moments, then apply again: the 75 created once each, all active")
    func killAndResume() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) is not built")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "sb-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var killedWhileRunning = 0
        for delay in [700, 1_100, 1_600, 2_300, 3_100] {
            let process = try start(directory)
            try await Task.sleep(for: .milliseconds(delay))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedWhileRunning += 1
            }
            process.waitUntilExit()
        }
        #expect(killedWhileRunning >= 3)
        let last = try start(directory)
        let deadline = ContinuousClock.now + .seconds(240)
        while last.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!last.isRunning)
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)

        let store = try SQLiteStore(path: directory + "/switchboard.sqlite")
        let records = try await store.rolloutRecords()
        #expect(records.count == 75)
        #expect(records.values.allSatisfy { $0.state == .active })
        // The sandbox of the data directory kept every sub-account made, across the kills: none twice.
        let sandbox = try SandboxServer(configuration: .init(port: 0, dataDirectory: directory))
        let names = await sandbox.subAccountNames()
        let twice = Set(names.filter { name in names.filter { $0 == name }.count > 1 })
        #expect(twice.isEmpty, "created twice: \(twice.sorted())")
        #expect(names.count == 25 + 75 + 1)  // the live 25, the 75, and the agency's lead-intake sub-account
    }
}
