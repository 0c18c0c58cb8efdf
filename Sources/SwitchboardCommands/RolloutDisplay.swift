import Delivery
import Foundation
import Rollout
import Storage
import Synchronization

/// A rollout's progress: a live line on a terminal (locations done / total, the step under way, ETA), JSON lines
/// otherwise.
final class RolloutDisplay: Sendable {
    private let json: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private let state = Mutex<Progress>(Progress())

    private struct Progress {
        var started = ContinuousClock.now
        var done = 0
        var total = 0
        var step = ""
        var calls = 0
        /// The calls made before this wave started.
        var callsBefore = 0
        var throttled = 0
    }

    init(json: Bool) { self.json = json }

    @Sendable func show(_ event: RolloutProgress) {
        let line: String? = state.withLock { state in
            switch event {
            case .waveStarted(let wave, let locations):
                state = Progress(
                    started: .now,
                    total: locations,
                    calls: state.calls,
                    callsBefore: state.calls,
                    throttled: state.throttled
                )
                return Self.encode([
                    "event": "wave", "wave": wave == 0 ? "retry" : String(wave), "locations": String(locations),
                ])
                .map { json || !terminal ? $0 : "wave \(wave == 0 ? "retry" : String(wave)): \(locations) locations" }
            case .stepStarted(let location, let step):
                state.step = "\(location): \(step.rawValue)"
                return json || !terminal ? nil : bar(state)
            case .locationFinished(let record, let done, let total, let calls, let throttled):
                state.done = done
                state.total = total
                state.calls = calls
                state.throttled = throttled
                if json || !terminal {
                    return Self.encode([
                        "event": "location", "location": record.locationID, "state": record.state.rawValue,
                        "done": String(done), "total": String(total), "calls": String(calls),
                        "throttled": String(throttled),
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

    private func bar(_ state: Progress) -> String {
        let width = 30
        let filled = state.total == 0 ? 0 : width * state.done / state.total
        let elapsed = ContinuousClock.now - state.started
        let seconds = elapsed.seconds
        let eta = state.done == 0 ? "?" : String(Int(seconds / Double(state.done) * Double(state.total - state.done)))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            + " \(state.done)/\(state.total) locations · ETA \(eta) s · "
            + String(format: "%.1f", Double(state.calls - state.callsBefore) / max(seconds, 0.001))
            + " calls/s · \(state.throttled) × 429 · "
            + state.step
    }

    private static func encode(_ fields: [String: String]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
