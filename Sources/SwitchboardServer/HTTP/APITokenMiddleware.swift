import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer <API token>` (compared in constant time) on the routes it guards.
struct APITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    private let tokenDigest: SHA256.Digest

    init(token: String) {
        self.tokenDigest = SHA256.hash(data: Data(token.utf8))
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem.unauthorized("this endpoint needs 'Authorization: Bearer <API token>'")
        }
        // Comparing digests keeps the comparison's time independent of where the strings differ.
        let given = SHA256.hash(data: Data(header.dropFirst("Bearer ".count).utf8))
        guard given == tokenDigest else { throw Problem.unauthorized("the API token is not valid") }
        return try await next(request, context)
    }
}
