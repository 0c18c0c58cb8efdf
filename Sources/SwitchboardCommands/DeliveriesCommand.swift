public import ArgumentParser
import Foundation
import LeadRouting
import NIOHTTP1

/// `switchboard deliveries`: what could not be delivered into GHL, and sending it again.
public struct DeliveriesCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List deliveries GHL refused or that ran out of retries, and replay them.",
        discussion: """
            A delivery step is dead-lettered when GHL refuses it for good (a 4xx other than 429) or when every \
            retry (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) failed. Fix the cause (a location's \
            ghlLocationId, a missing pipeline…), then replay: the step runs again through the same rate limiter, \
            and upserts never duplicate a contact.
            """,
        subcommands: [DeadLetters.self, Replay.self]
    )

    public init() {}

    /// `switchboard deliveries dead-letters`
    public struct DeadLetters: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "dead-letters",
            abstract: "List dead-lettered delivery steps, newest first, with why."
        )

        @OptionGroup var connection: ServiceConnection

        @Option(help: ArgumentHelp("Only those given up on since this time (ISO 8601).", valueName: "time"))
        var since: String?

        @Option(help: "At most this many.")
        var limit: Int = 100

        @Flag(help: "Print JSON (one object per line).")
        var json = false

        public init() {}

        public func validate() throws {
            guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000.") }
            if let since, InternetTimestamp.date(from: since) == nil {
                throw ValidationError("--since '\(since)' is not an ISO 8601 time such as 2026-11-30T12:00:00Z.")
            }
        }

        public func run() async throws {
            var path = "/v1/deliveries/dead-letters?limit=\(limit)"
            if let since { path += "&since=\(since)" }
            let answer = try await connection.api().send(.GET, path)
            let letters = answer["deadLetters"] as? [[String: Any]] ?? []
            if json {
                for letter in letters {
                    let data = try JSONSerialization.data(withJSONObject: letter, options: [.sortedKeys])
                    Console.line(String(decoding: data, as: UTF8.self))
                }
                return
            }
            guard !letters.isEmpty else {
                Console.line("No dead letters.")
                return
            }
            Console.line("id      lead                        step          attempts  why")
            for letter in letters {
                let id = "\(letter["id"] as? Int ?? 0)".padding(toLength: 8, withPad: " ", startingAt: 0)
                let lead = (letter["leadId"] as? String ?? "").padding(toLength: 28, withPad: " ", startingAt: 0)
                let step = (letter["step"] as? String ?? "").padding(toLength: 14, withPad: " ", startingAt: 0)
                let attempts = "\(letter["attempts"] as? Int ?? 0)".padding(toLength: 10, withPad: " ", startingAt: 0)
                Console.line("\(id)\(lead)\(step)\(attempts)\(letter["lastError"] as? String ?? "")")
            }
            Console.line(
                "\(letters.count) dead letters. Replay: switchboard deliveries replay --id ID … (or --since TIME)"
            )
        }
    }

    /// `switchboard deliveries replay`
    public struct Replay: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Send dead-lettered delivery steps again: by id, or every one since a time."
        )

        @OptionGroup var connection: ServiceConnection

        @Option(name: .customLong("id"), help: ArgumentHelp("A dead letter's id (repeatable).", valueName: "id"))
        var ids: [Int] = []

        @Option(help: ArgumentHelp("Every dead letter since this time (ISO 8601).", valueName: "time"))
        var since: String?

        public init() {}

        public func validate() throws {
            guard ids.isEmpty != (since == nil) else {
                throw ValidationError("give --id (one or more) or --since, not both and not neither.")
            }
            if let since, InternetTimestamp.date(from: since) == nil {
                throw ValidationError("--since '\(since)' is not an ISO 8601 time such as 2026-11-30T12:00:00Z.")
            }
        }

        public func run() async throws {
            let body: [String: Any] = since.map { ["since": $0] } ?? ["ids": ids]
            let answer = try await connection.api().send(.POST, "/v1/deliveries/replay", json: body)
            Console.line(
                "Replayed \(answer["replayed"] as? Int ?? 0) dead letters; they are delivered in the background."
            )
        }
    }
}
