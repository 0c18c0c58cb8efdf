import HTTPTypes
import OpenAPIRuntime

/// Registers each generated operation under its v2 path and, where the v3 spec moved it, under the v3 path too.
struct AliasingServerTransport<Base: ServerTransport>: ServerTransport {
    let base: Base
    /// v2 path → v3 path.
    let aliases: [String: String]

    func register(
        _ handler:
            @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (
                HTTPResponse, HTTPBody?
            ),
        method: HTTPRequest.Method,
        path: String
    ) throws {
        try base.register(handler, method: method, path: path)
        if let alias = aliases[path] { try base.register(handler, method: method, path: alias) }
    }
}
