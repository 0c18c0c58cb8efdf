/// The step of an `sla` job: `start` (the delivery just completed), or `ATTEMPT:PHASE` — which attempt's timer and
/// what is due next (`warn:N` for the N-th reminder, `due` for the deadline).
public enum SLAStep {
    public static let start = "start"

    /// The step for an attempt's next phase.
    public static func step(attempt: Int, phase: String) -> String { "\(attempt):\(phase)" }

    /// The attempt and phase a step names (`nil` for `start` or a malformed step).
    public static func parse(_ step: String) -> (attempt: Int, phase: String)? {
        guard let colon = step.firstIndex(of: ":"), let attempt = Int(step[..<colon]) else { return nil }
        return (attempt, String(step[step.index(after: colon)...]))
    }
}
