import Foundation
import Logging
public import ServiceLifecycle

/// A living demo franchise in the sandbox: new leads keep arriving in the agency's intake sub-account (each a signed
/// `ContactCreate` webhook, as GHL sends), and simulated staff at each gym work the leads delivered to them with the
/// gym's own habit — some within minutes, some slowly, some never (so SLAs fire) — calling, texting, booking trial
/// sessions, marking shows and no-shows, winning and losing memberships, all through the same state changes and
/// webhooks as the staff endpoints. Every simulated contact carries the tag `demo:simulated`; every action the
/// user `demo-coach-…`.
public struct DemoTraffic: Service {
    let staff: SandboxStaff
    let state: SandboxState
    let webhooks: SandboxWebhooks
    let intakeSubAccountID: String
    /// About how often a new lead arrives.
    let leadEvery: Duration
    /// How long a minute of simulated staff time lasts (a minute; tests shorten it).
    let minute: Duration
    /// How often the simulation looks for new deliveries and due actions.
    let tick: Duration
    let logger: Logger

    /// How a gym's staff work their leads.
    enum Habit: String {
        case fast, slow, never

        /// A gym's habit, the same on every run (from its sub-account id).
        static func of(_ locationID: String) -> Habit {
            switch locationID.unicodeScalars.reduce(0, { $0 &+ Int($1.value) }) % 10 {
            case 0, 1: .never
            case 2...5: .fast
            default: .slow
            }
        }
    }

    /// Something simulated staff (or the lead) do at a time.
    enum Action {
        case call(completed: Bool)
        case text
        case reply
        case book
        case attend(showed: Bool)
        case close(won: Bool)
    }

    struct Planned {
        var due: Date
        var action: Action
        var contactID: String
        var locationID: String
    }

    static let sources: [(String, Int)] = [
        ("facebook", 35), ("google", 25), ("website", 20), ("instagram", 10), ("referral", 5), ("walk-in", 5),
    ]
    static let firstNames = ["Ana", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi"]
    static let lastNames = ["Garcia", "Nguyen", "Smith", "Okafor", "Rossi", "Kim", "Patel", "Lopez", "Brown"]
    /// Postal codes far from any demo gym: leads nobody can serve (where to open next).
    static let unserved = ["59101", "99501", "04101", "87501", "83702"]

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    public func run() async throws {
        logger.notice("demo traffic: simulated leads and staff are running (contacts tagged demo:simulated)")
        var generator = SystemRandomNumberGenerator()
        var planned: [Planned] = []
        var seen: Set<String> = []
        var nextLead = await state.now()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            _ = await cancelWhenGracefulShutdown { [tick] in try? await Task.sleep(for: tick) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let now = await state.now()
            let gyms = await state.allLocations().filter { $0.id != intakeSubAccountID }
            if now >= nextLead, !gyms.isEmpty {
                await arrive(near: gyms, using: &generator)
                nextLead = now.addingTimeInterval(seconds(leadEvery) * Double.random(in: 0.5...1.5, using: &generator))
            }
            for gym in gyms {
                for contact in gym.contacts
                where contact.tags.contains("switchboard:routed") && !seen.contains(contact.id) {
                    seen.insert(contact.id)
                    planned += Self.plan(
                        for: contact.id,
                        in: gym.id,
                        from: now,
                        minute: seconds(minute),
                        using: &generator
                    )
                }
            }
            let due = planned.filter { $0.due <= now }
            planned.removeAll { $0.due <= now }
            for action in due {
                planned += await perform(action, at: now, using: &generator)
            }
        }
    }

    /// A new lead in the intake sub-account, near a random gym (now and then nowhere near one).
    private func arrive(near gyms: [SandboxLocation], using generator: inout SystemRandomNumberGenerator) async {
        let postalCode =
            Int.random(in: 0..<10, using: &generator) == 0
            ? Self.unserved.randomElement(using: &generator)
            : gyms.randomElement(using: &generator)?.postalCode
        var roll = Int.random(in: 0..<100, using: &generator)
        let source =
            Self.sources.first {
                roll -= $0.1; return roll < 0
            }?.0 ?? "website"
        let first = Self.firstNames.randomElement(using: &generator) ?? "Ana"
        let last = Self.lastNames.randomElement(using: &generator) ?? "Smith"
        let number = Int.random(in: 1000...9999, using: &generator)
        let draft = ContactInput(
            firstName: first,
            lastName: last,
            email: "\(first.lowercased()).\(last.lowercased()).\(number)@demo.example",
            phone: "+1512555\(number)",
            postalCode: postalCode,
            source: source,
            tags: ["demo:simulated"],
            customFields: [:]
        )
        do {
            let contact = try await state.createContact(draft, in: intakeSubAccountID)
            webhooks.contactEvent("ContactCreate", contact, locationID: intakeSubAccountID)
        } catch {
            logger.debug("demo traffic: could not create a lead", metadata: ["error": "\(error)"])
        }
    }

    /// What a gym's staff will do with a lead delivered to it.
    static func plan(
        for contactID: String,
        in locationID: String,
        from now: Date,
        minute: Double,
        using generator: inout SystemRandomNumberGenerator
    ) -> [Planned] {
        func at(_ minutes: ClosedRange<Double>, _ action: Action) -> Planned {
            Planned(
                due: now.addingTimeInterval(Double.random(in: minutes, using: &generator) * minute),
                action: action,
                contactID: contactID,
                locationID: locationID
            )
        }
        switch Habit.of(locationID) {
        case .never: return []
        case .fast: return [at(0.2...2, .call(completed: Double.random(in: 0..<1, using: &generator) < 0.7))]
        case .slow:
            return [at(5...15, .text)]
                + (Double.random(in: 0..<1, using: &generator) < 0.5 ? [at(15...30, .reply)] : [])
        }
    }

    /// Does one action; - Returns: what follows it.
    private func perform(
        _ planned: Planned,
        at now: Date,
        using generator: inout SystemRandomNumberGenerator
    ) async -> [Planned] {
        let coach = "demo-coach-\(planned.locationID.prefix(6))"
        func next(_ minutes: ClosedRange<Double>, _ action: Action) -> Planned {
            var following = planned
            following.due = now.addingTimeInterval(Double.random(in: minutes, using: &generator) * seconds(minute))
            following.action = action
            return following
        }
        func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < probability }
        do {
            switch planned.action {
            case .call(let completed):
                _ = try await staff.send(
                    .init(
                        outbound: true,
                        messageType: "CALL",
                        userID: coach,
                        status: "completed",
                        callStatus: completed ? "completed" : "voicemail",
                        callDuration: completed ? Double.random(in: 60...300, using: &generator) : 25
                    ),
                    to: planned.contactID,
                    in: planned.locationID
                )
                return completed ? (chance(0.6) ? [next(2...10, .book)] : [next(30...90, .close(won: false))]) : []
            case .text:
                _ = try await staff.send(
                    .init(
                        outbound: true,
                        messageType: "SMS",
                        userID: coach,
                        source: "app",
                        body: "Hi! Want a free trial?"
                    ),
                    to: planned.contactID,
                    in: planned.locationID
                )
                return chance(0.4) ? [next(10...30, .book)] : []
            case .reply:
                _ = try await staff.send(
                    .init(outbound: false, messageType: "SMS", body: "Yes, when can I come in?"),
                    to: planned.contactID,
                    in: planned.locationID
                )
                return []
            case .book:
                _ = try await staff.book(planned.contactID, in: planned.locationID, userID: coach)
                return [next(20...60, .attend(showed: chance(0.7)))]
            case .attend(let showed):
                let location = try await state.location(planned.locationID)
                if let appointment = location.appointments?.last(where: { $0.contactID == planned.contactID }) {
                    try await staff.setAppointment(
                        appointment.id,
                        in: planned.locationID,
                        status: showed ? "showed" : "noshow"
                    )
                }
                return showed ? [next(5...20, .close(won: chance(0.6)))] : []
            case .close(let won):
                let location = try await state.location(planned.locationID)
                if let opportunity = location.opportunityDetails?.last(where: { $0.contactID == planned.contactID }) {
                    try await staff.changeOpportunity(
                        opportunity.id,
                        in: planned.locationID,
                        status: won ? "won" : "lost",
                        stageName: won ? "Joined" : nil,
                        monetaryValue: won ? [49, 79, 99, 149, 199].randomElement(using: &generator) : nil
                    )
                }
                return []
            }
        } catch {
            logger.debug("demo traffic: a simulated action failed", metadata: ["error": "\(error)"])
            return []
        }
    }
}
