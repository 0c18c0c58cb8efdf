public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Posts one message to a group's URLs in turn, from a starting one, until one answers 2xx. Any other status, a
/// timeout or a connection error counts as a failure of that URL.
public struct FailoverSender: Sendable {
    private let client: HTTPClient

    public init(client: HTTPClient = .shared) { self.client = client }

    /// What became of one message.
    public struct Report: Sendable {
        /// The URL that took it, if any.
        public var deliveredTo: URL?
        /// Each URL that failed, with why (in the order tried).
        public var failures: [(url: URL, reason: String)]
    }

    /// Sends `body` to `urls`, starting at `start` (rotating) and failing over to the next.
    public func send(
        _ body: Data,
        headers: [(String, String)],
        to urls: [URL],
        startingAt start: Int,
        timeout: Duration
    ) async -> Report {
        var report = Report(deliveredTo: nil, failures: [])
        for offset in 0..<urls.count {
            let url = urls[(start + offset) % urls.count]
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(data: body))
            do {
                let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
                // Read (a little of) the answer so the connection can be reused; its content is not needed.
                let answer = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(response.status.code) {
                    report.deliveredTo = url
                    return report
                }
                let text = answer.map { String(buffer: $0).prefix(200) } ?? ""
                report.failures.append((url, "HTTP \(response.status.code)" + (text.isEmpty ? "" : ": \(text)")))
            } catch {
                report.failures.append((url, "\(error)"))
            }
        }
        return report
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    var nanoseconds: Double {
        Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9
    }
}
