import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Refuses JSON bodies with fields the operation's schema does not define, as GHL does: 422 with
/// "property X should not exist". The allowed fields come from the spec of the call's API version (the v2 one is
/// the spec the code was generated from).
struct StrictBodyMiddleware: ServerMiddleware {
    /// Top-level properties allowed per API version and operation id (operations with a JSON body only).
    let allowedProperties: [SandboxAPIVersion: [String: Set<String>]]

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let allowed = allowedProperties[SandboxAPIVersion.current]?[operationID], let body else {
            return try await next(request, body, metadata)
        }
        let data = try await Data(collecting: body, upTo: 2_097_152)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw SandboxFailure(status: 422, message: "property \(unknown) should not exist")
            }
        }
        return try await next(request, HTTPBody(data), metadata)
    }

    /// Reads the allowed properties from the OpenAPI document.
    static func allowedProperties(spec: Data) throws -> [String: Set<String>] {
        guard let document = try JSONSerialization.jsonObject(with: spec) as? [String: Any],
            let paths = document["paths"] as? [String: [String: Any]],
            let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        else { return [:] }
        func properties(_ schema: [String: Any]) -> Set<String> {
            if let ref = schema["$ref"] as? String,
                let target = schemas[String(ref.split(separator: "/").last!)] as? [String: Any]
            {
                return properties(target)
            }
            var names = Set((schema["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
            for part in (schema["allOf"] as? [[String: Any]]) ?? [] { names.formUnion(properties(part)) }
            return names
        }
        var result: [String: Set<String>] = [:]
        for item in paths.values {
            for case let operation as [String: Any] in item.values {
                guard let id = operation["operationId"] as? String,
                    let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any],
                    let json = content["application/json"] as? [String: Any],
                    let schema = json["schema"] as? [String: Any]
                else { continue }
                result[id] = properties(schema)
            }
        }
        return result
    }
}
