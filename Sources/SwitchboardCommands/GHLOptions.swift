import ArgumentParser

/// The options that point a command at a real GHL (`serve`, `rollout`); without them the embedded sandbox is used.
struct GHLOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A real GHL's API base URL [GHL_BASE_URL].", valueName: "url"))
    var ghlBaseUrl: String?

    @Option(help: ArgumentHelp("The GHL agency token [GHL_TOKEN].", valueName: "token"))
    var ghlToken: String?

    @Option(help: ArgumentHelp("The GHL agency's company id [GHL_COMPANY_ID].", valueName: "id"))
    var ghlCompanyId: String?

    /// The values given, by configuration key.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags[ServeSettings.Key.ghlBaseURL] = ghlBaseUrl
        flags[ServeSettings.Key.ghlToken] = ghlToken
        flags[ServeSettings.Key.ghlCompanyID] = ghlCompanyId
        return flags
    }
}
