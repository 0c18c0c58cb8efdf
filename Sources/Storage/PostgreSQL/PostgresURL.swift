import Foundation

/// Where a PostgreSQL database is, read from a URL: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` with the
/// optional parameters `sslmode=disable|prefer|require` (default `prefer`) and `schema=NAME` (Switchboard's tables
/// in that schema instead of `public`; tests and side-by-side installs use it).
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection is encrypted.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never: the right choice on loopback or a private network with no TLS set up.
        case disable
        /// When the server offers it (the libpq default).
        case prefer
        /// Always: refuse a server that does not offer TLS.
        case require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var schema: String?

    public init(
        host: String,
        port: Int = 5432,
        username: String,
        password: String? = nil,
        database: String,
        tls: TLSMode = .prefer,
        schema: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.schema = schema
    }

    /// Why a database URL was refused.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a URL. - Throws: ``Problem`` naming what is wrong (the password is never repeated).
    public init(parsing text: String) throws(Problem) {
        let usage = "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Problem(description: "the database URL is not a URL: \(usage)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw Problem(description: "the database URL's scheme is '\(scheme)': \(usage)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Problem(description: "the database URL names no host: \(usage)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw Problem(description: "the database URL names no user: \(usage)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw Problem(description: "the database URL names no database: \(usage)")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw Problem(description: "the database URL's port \(port) is not between 1 and 65535")
        }
        var tls = TLSMode.prefer
        var schema: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw Problem(
                        description: "the database URL's sslmode '\(item.value ?? "")' is not one of disable, "
                            + "prefer, require"
                    )
                }
                tls = mode
            case "schema":
                guard let value = item.value, Self.isPlainName(value) else {
                    throw Problem(
                        description: "the database URL's schema '\(item.value ?? "")' must be lowercase letters, "
                            + "digits and _ (at most 63, starting with a letter)"
                    )
                }
                schema = value
            default:
                throw Problem(description: "the database URL's parameter '\(item.name)' is not known (sslmode, schema)")
            }
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database,
            tls: tls,
            schema: schema
        )
    }

    /// The URL without its password, for banners and logs.
    public var description: String {
        var text = "postgres://\(username)\(password == nil ? "" : ":•••")@\(host):\(port)/\(database)"
        var parameters: [String] = []
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let schema { parameters.append("schema=\(schema)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// Whether a name can be used unquoted as a schema: lowercase ASCII letters, digits and `_`, starting with a
    /// letter, at most 63 bytes.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (97...122).contains(first), name.utf8.count <= 63 else { return false }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }
}
