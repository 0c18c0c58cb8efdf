import ArgumentParser

/// `--database-url`: PostgreSQL instead of the SQLite file in the data directory.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "PostgreSQL instead of SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|"
                + "require] [DATABASE_URL]. Any number of instances may share one database.",
            valueName: "url"
        )
    )
    var databaseURL: String?
}
