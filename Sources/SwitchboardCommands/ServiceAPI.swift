import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Calls a running Switchboard's `/v1` API for the commands that work through it.
struct ServiceAPI {
    let base: String
    let token: String

    init(url: String, token: String?) throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["SWITCHBOARD_API_TOKEN"] else {
            throw CommandFailure(
                "give --api-token (or set SWITCHBOARD_API_TOKEN): the token `switchboard serve` printed."
            )
        }
        self.base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.token = token
    }

    /// Sends a request; a problem answer becomes a ``CommandFailure`` with its detail.
    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> [String: Any] {
        let body = try await exchange(method, path, json: json, accept: "application/json")
        return (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    /// Gets a text representation (e.g. `text/csv`) of a resource.
    func text(_ path: String, accept: String) async throws -> String {
        String(decoding: try await exchange(.GET, path, json: nil, accept: accept), as: UTF8.self)
    }

    private func exchange(_ method: HTTPMethod, _ path: String, json: Any?, accept: String) async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: accept)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw CommandFailure("cannot reach \(base) (\(error)); is `switchboard serve` running there?")
        }
        let body = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        guard (200..<300).contains(Int(response.status.code)) else {
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
            let detail = object["detail"] as? String ?? "HTTP \(response.status.code)"
            let field = (object["field"] as? String).map { " (\($0))" } ?? ""
            throw CommandFailure("\(base)\(path): \(detail)\(field)")
        }
        return body
    }
}
