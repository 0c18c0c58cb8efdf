import Foundation
import Rollout
import Storage
import Synchronization

/// A rollout's progress: a live line on a terminal (locations done / total, the step under way, ETA), JSON lines
/// otherwise.
final class RolloutDisplay: Sendable {
    private let json: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private let state = Mutex<(started: ContinuousClock.Instant, done: Int, total: Int, step: String)>(
        (ContinuousClock.now, 0, 0, "")
    )

    init(json: Bool) { self.json = json }

    @Sendable func show(_ event: RolloutProgress) {
        let line: String? = state.withLock { state in
            switch event {
            case .waveStarted(let wave, let locations):
                state = (ContinuousClock.now, 0, locations, "")
                return Self.encode([
                    "event": "wave", "wave": wave == 0 ? "retry" : String(wave), "locations": String(locations),
                ])
                .map { json || !terminal ? $0 : "wave \(wave == 0 ? "retry" : String(wave)): \(locations) locations" }
            case .stepStarted(let location, let step):
                state.step = "\(location): \(step.rawValue)"
                return json || !terminal ? nil : bar(state)
            case .locationFinished(let record, let done, let total):
                state.done = done
                state.total = total
                if json || !terminal {
                    return Self.encode([
                        "event": "location", "location": record.locationID, "state": record.state.rawValue,
                        "done": String(done), "total": String(total),
                        "failures": record.failures.joined(separator: "; "),
                    ])
                }
                return bar(state)
            }
        }
        guard let line else { return }
        if terminal && !json {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            if case .waveStarted = event { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    private func bar(_ state: (started: ContinuousClock.Instant, done: Int, total: Int, step: String)) -> String {
        let width = 30
        let filled = state.total == 0 ? 0 : width * state.done / state.total
        let elapsed = ContinuousClock.now - state.started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let eta = state.done == 0 ? "?" : String(Int(seconds / Double(state.done) * Double(state.total - state.done)))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            + " \(state.done)/\(state.total) locations · ETA \(eta) s · \(state.step)"
    }

    private static func encode(_ fields: [String: String]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
