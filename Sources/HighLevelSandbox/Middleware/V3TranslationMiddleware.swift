import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Answers a `Version: v3` call with the v2 handlers, translating where GHL's v3 specs differ from v2 for the
/// operations the sandbox implements (the rest — paths, parameters, bodies — is the same in both):
///
/// - `POST /oauth/token` takes camelCase fields (`clientId`, `grantType`, …), as a form or as JSON, and both token
///   endpoints answer camelCase (`accessToken`, `expiresIn`, …);
/// - `GET /opportunities/search` takes camelCase query names (`locationId`, `pipelineId`, …);
/// - custom field values are sent as `fieldValue` (v2: `field_value`);
/// - `add-contact-to-workflow` answers `succeeded` beside v2's misspelt `succeded`.
///
/// v3's opportunity forecast fields (`forecastProbability`, `forecastExpectedCloseDate`) are accepted and not
/// modelled: the sandbox has no forecasts.
struct V3TranslationMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard SandboxAPIVersion.current == .v3 else { return try await next(request, body, metadata) }
        var request = request
        var body = body
        switch operationID {
        case "get-access-token":
            (request, body) = try await Self.tokenRequest(request, body)
        case "search-opportunity":
            request.path = request.path.map { Self.renamingQuery($0, Self.opportunitySearchQuery) }
        case "create-contact", "upsert-contact", "create-opportunity":
            body = try await Self.editingJSON(body) { object in
                if let fields = object["customFields"] as? [Any] {
                    object["customFields"] = fields.map { item -> Any in
                        guard var field = item as? [String: Any], let value = field.removeValue(forKey: "fieldValue")
                        else { return item }
                        if field["field_value"] == nil { field["field_value"] = value }
                        return field
                    }
                }
                object["forecastProbability"] = nil
                object["forecastExpectedCloseDate"] = nil
            }
        default:
            break
        }
        let (response, responseBody) = try await next(request, body, metadata)
        guard response.status.kind == .successful else { return (response, responseBody) }
        let edited: HTTPBody?
        switch operationID {
        case "get-access-token", "get-location-access-token":
            edited = try await Self.editingJSON(responseBody) { Self.rename(&$0, Self.tokenAnswer) }
        case "add-contact-to-workflow":
            edited = try await Self.editingJSON(responseBody) { $0["succeeded"] = $0["succeded"] }
        default:
            return (response, responseBody)
        }
        var translated = response
        if case .known(let length) = edited?.length { translated.headerFields[.contentLength] = "\(length)" }
        return (translated, edited)
    }

    /// v3 name → v2 name of the token request's fields.
    static let tokenRequest = [
        "clientId": "client_id", "clientSecret": "client_secret", "grantType": "grant_type",
        "refreshToken": "refresh_token", "userType": "user_type", "redirectUri": "redirect_uri",
    ]
    /// v2 name → v3 name of the token answers' fields.
    static let tokenAnswer = [
        "access_token": "accessToken", "refresh_token": "refreshToken", "expires_in": "expiresIn",
        "token_type": "tokenType",
    ]
    /// v3 name → v2 name of `search-opportunity`'s query parameters.
    static let opportunitySearchQuery = [
        "locationId": "location_id", "pipelineId": "pipeline_id", "pipelineStageId": "pipeline_stage_id",
        "contactId": "contact_id", "assignedTo": "assigned_to",
    ]

    /// The token request as the v2 handler reads it: a form with snake_case names.
    static func tokenRequest(_ request: HTTPRequest, _ body: HTTPBody?) async throws -> (HTTPRequest, HTTPBody?) {
        guard let body else { return (request, nil) }
        let data = try await Data(collecting: body, upTo: 65_536)
        var fields: [(String, String)]
        if request.headerFields[.contentType]?.lowercased().hasPrefix("application/json") == true {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw SandboxFailure(status: 422, message: "the body must be a JSON object")
            }
            fields = object.keys.sorted().compactMap { key in
                switch object[key] {
                case let text as String: (key, text)
                case let number as NSNumber: (key, number.stringValue)
                default: nil
                }
            }
        } else {
            fields = FormEncoding.decode(String(decoding: data, as: UTF8.self))
        }
        fields = fields.map { (tokenRequest[$0.0] ?? $0.0, $0.1) }
        let form = Data(FormEncoding.encode(fields).utf8)
        var translated = request
        translated.headerFields[.contentType] = "application/x-www-form-urlencoded"
        translated.headerFields[.contentLength] = "\(form.count)"
        return (translated, HTTPBody(form))
    }

    /// A path with its query's parameter names renamed.
    static func renamingQuery(_ path: String, _ names: [String: String]) -> String {
        guard let mark = path.firstIndex(of: "?") else { return path }
        let query = path[path.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false).map {
            pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let renamed = names[String(parts[0])] else { return String(pair) }
            return parts.count == 2 ? "\(renamed)=\(parts[1])" : renamed
        }
        return path[..<mark] + "?" + query.joined(separator: "&")
    }

    static func rename(_ object: inout [String: Any], _ names: [String: String]) {
        for (from, to) in names {
            if let value = object.removeValue(forKey: from) { object[to] = value }
        }
    }

    /// A JSON object body edited in place; a body that is not a JSON object is passed on unchanged.
    static func editingJSON(
        _ body: HTTPBody?,
        _ edit: (inout [String: Any]) -> Void
    ) async throws -> HTTPBody? {
        guard let body else { return nil }
        let data = try await Data(collecting: body, upTo: 2_097_152)
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return HTTPBody(data)
        }
        edit(&object)
        return HTTPBody(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
