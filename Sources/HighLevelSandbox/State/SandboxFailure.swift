/// An error answer in GHL's shape (`statusCode`, `message`, `error`, `traceId`), thrown by sandbox handlers and
/// middleware and turned into the response by ``ErrorShapeMiddleware``.
struct SandboxFailure: Error, Sendable {
    var status: Int
    var message: String
    /// Extra top-level fields, e.g. `meta` with the existing contact's id.
    var extra: [String: any Sendable] = [:]

    static func badRequest(_ message: String) -> SandboxFailure { SandboxFailure(status: 400, message: message) }
    static func unauthorized(_ message: String) -> SandboxFailure { SandboxFailure(status: 401, message: message) }
    static func forbidden(_ message: String) -> SandboxFailure { SandboxFailure(status: 403, message: message) }
    static func notFound(_ message: String) -> SandboxFailure { SandboxFailure(status: 404, message: message) }
}
