public import ArgumentParser
import AsyncHTTPClient
import Crypto
import Foundation
import LeadRouting
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import RoutingFiles

/// `switchboard leads import FILE.csv`: pushes a CSV of leads through the service's intake (`POST /v1/leads`).
public struct ImportLeadsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Send a CSV of leads to a running Switchboard, through the same intake as forms.",
        discussion: """
            The file is the leads CSV of `switchboard route` (postal_code, or latitude and longitude; optional \
            id, email, phone, score, source). Every row is checked before anything is sent; a bad row stops the \
            import with FILE:LINE and the column. Each row is sent with an Idempotency-Key (from its id column, or \
            its content), so running the same import again stores nothing twice. Leads are stored at the time they \
            are received (the `at` column is not used). A row the service refuses is reported with its line; the \
            exit status is non-zero when any was refused.

            Example:
              switchboard leads import examples/leads-sample.csv --api-token "$SWITCHBOARD_API_TOKEN"
            """
    )

    @Argument(help: ArgumentHelp("The leads CSV.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The service's base URL [SWITCHBOARD_URL].", valueName: "url"))
    var url: String = ProcessInfo.processInfo.environment["SWITCHBOARD_URL"] ?? "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("The API token [SWITCHBOARD_API_TOKEN].", valueName: "token"))
    var apiToken: String?

    @Option(help: ArgumentHelp("Requests in flight at once.", valueName: "n"))
    var concurrency: Int = 16

    public init() {}

    public func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 256.") }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw ValidationError("--url '\(url)' is not an http(s) URL.")
        }
    }

    /// One row's outcome.
    enum RowResult: Sendable {
        case stored
        case alreadyImported
        case refused(line: Int, reason: String)
    }

    public func run() async throws {
        guard let token = apiToken ?? ProcessInfo.processInfo.environment["SWITCHBOARD_API_TOKEN"] else {
            throw ValidationError(
                "give --api-token (or set SWITCHBOARD_API_TOKEN): the token `switchboard serve` printed."
            )
        }
        let leads = try LeadsFile(contentsOf: file, defaultArrival: Date())
        let hasIDs =
            (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").first?
            .split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "id" } ?? false
        let rows = leads.entries.map { entry in
            let body = Self.body(for: entry.lead)
            let key =
                hasIDs && entry.lead.id?.hasPrefix("line-") == false
                ? "import:\(entry.lead.id!)" : "import:" + Self.digest(body)
            return (line: entry.line, body: body, key: key)
        }
        var progress = ImportProgress(total: rows.count, file: file)
        progress.start()
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        var refused: [(Int, String)] = []
        var stored = 0
        var repeated = 0
        try await withThrowingTaskGroup(of: RowResult.self) { group in
            var next = 0
            func submit() {
                guard next < rows.count else { return }
                let row = rows[next]
                next += 1
                group.addTask { try await Self.send(row.body, key: row.key, line: row.line, base: base, token: token) }
            }
            for _ in 0..<concurrency { submit() }
            while let result = try await group.next() {
                switch result {
                case .stored: stored += 1
                case .alreadyImported: repeated += 1
                case .refused(let line, let reason): refused.append((line, reason))
                }
                progress.advance(failures: refused.count)
                submit()
            }
        }
        progress.finish()
        Console.line(
            "\(file): \(stored) leads stored, \(repeated) already imported before, \(refused.count) refused."
        )
        for (line, reason) in refused.sorted(by: { $0.0 < $1.0 }) {
            Console.line("\(file):\(line): \(reason)")
        }
        if !refused.isEmpty { throw ExitCode(1) }
    }

    /// The JSON body `POST /v1/leads` takes for a lead.
    static func body(for lead: Lead) -> Data {
        var object: [String: Any] = [:]
        object["postalCode"] = lead.postalCode
        object["latitude"] = lead.coordinate?.latitude
        object["longitude"] = lead.coordinate?.longitude
        object["email"] = lead.email
        object["phone"] = lead.phone
        object["score"] = lead.score
        object["source"] = lead.source
        // Plain strings and numbers always serialise.
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Sends one lead; retries while the service answers 429 (it asks to be sent again).
    static func send(_ body: Data, key: String, line: Int, base: String, token: String) async throws -> RowResult {
        for attempt in 0..<8 {
            var request = HTTPClientRequest(url: base + "/v1/leads")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Idempotency-Key", value: key)
            request.headers.add(name: "X-Switchboard-Channel", value: "import")
            request.body = .bytes(ByteBuffer(data: body))
            let response: HTTPClientResponse
            do {
                response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            } catch {
                throw CommandFailure("cannot reach \(base) (\(error)); is `switchboard serve` running there?")
            }
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            switch response.status.code {
            case 202:
                return response.headers.first(name: "Idempotent-Replayed") == "true" ? .alreadyImported : .stored
            case 401:
                throw CommandFailure("\(base) refused the API token (401)")
            case 429:
                let wait = Int(response.headers.first(name: "Retry-After") ?? "") ?? 1
                try await Task.sleep(for: .seconds(min(30, wait * (attempt + 1))))
            default:
                let detail = ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])
                var reason = (detail?["detail"] as? String) ?? "HTTP \(response.status.code)"
                if let field = detail?["field"] as? String { reason = "\(field): \(reason)" }
                if response.status.code == 409,
                    detail?["type"] as? String == "urn:switchboard:problem:idempotency-key-reused"
                {
                    reason = "imported before with different data (\(key))"
                }
                return .refused(line: line, reason: reason)
            }
        }
        return .refused(line: line, reason: "the service stayed busy (429) after 8 tries")
    }
}
