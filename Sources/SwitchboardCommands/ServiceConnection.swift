import ArgumentParser
import Foundation

/// Where a running service is, for the commands that work through its API.
struct ServiceConnection: ParsableArguments {
    @Option(help: ArgumentHelp("The service's base URL [SWITCHBOARD_URL].", valueName: "url"))
    var url: String = ProcessInfo.processInfo.environment["SWITCHBOARD_URL"] ?? "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("The API token [SWITCHBOARD_API_TOKEN].", valueName: "token"))
    var apiToken: String?

    func api() throws -> ServiceAPI { try ServiceAPI(url: url, token: apiToken) }
}
