import Foundation

/// A funnel step that reaching a pipeline stage stands for (configured by stage name: a gym's pipeline may have a
/// "Trial booked" stage that is its booking, and a "Joined" stage that is its win). A stage that stands for
/// `showed` means the lead was booked too; `won` implies nothing else (a walk-in can join without a booking).
public enum StageStep: String, Sendable, Hashable, Codable, CaseIterable {
    case booked
    case showed
    case won

    /// Reads `NAME=STEP` (e.g. `Trial booked=booked`). - Throws: a message naming what is wrong.
    public static func mapping(parsing text: String) throws(StageMappingError) -> (name: String, step: StageStep) {
        guard let equals = text.lastIndex(of: "=") else { throw StageMappingError(text: text) }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        let step = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces).lowercased()
        guard !name.isEmpty, let known = StageStep(rawValue: step) else { throw StageMappingError(text: text) }
        return (name, known)
    }
}

/// A stage mapping that is not `NAME=STEP` with a known step.
public struct StageMappingError: Error, CustomStringConvertible {
    public var text: String
    public var description: String {
        "'\(text)' is not a stage mapping: write NAME=STEP, where STEP is "
            + StageStep.allCases.map(\.rawValue).joined(separator: ", ") + " (e.g. 'Trial booked=booked')"
    }
}
