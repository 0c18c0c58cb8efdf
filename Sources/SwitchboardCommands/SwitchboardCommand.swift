public import ArgumentParser

/// `switchboard`: the root command.
public struct SwitchboardCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Lead routing and location rollout for multi-location franchises on GoHighLevel.",
        discussion: """
            Switchboard routes every lead to the nearest active location with capacity, delivers it into that \
            location's GHL sub-account, and onboards new locations in waves.
            """,
        subcommands: [
            ServeCommand.self, RouteCommand.self, LeadsCommand.self, DeliveriesCommand.self, ReportCommand.self,
            RolloutCommand.self,
            SandboxCommand.self,
        ]
    )

    public init() {}
}
