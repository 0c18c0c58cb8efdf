public import ArgumentParser

/// `switchboard leads`: work with the leads of a running service.
public struct LeadsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "leads",
        abstract: "Work with the leads of a running Switchboard.",
        subcommands: [ImportLeadsCommand.self]
    )

    public init() {}
}
