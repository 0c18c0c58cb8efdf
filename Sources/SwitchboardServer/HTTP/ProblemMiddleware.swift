import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage

/// Turns every error into `application/problem+json`: Hummingbird's own errors (404 for an unknown route, 413,
/// 405), storage errors (busy → 429 so that senders retry; not found; conflict) and anything unexpected (500,
/// logged, with no internals in the answer).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as StoreError {
            switch error {
            case .unavailable(let message):
                context.logger.warning("storage busy; answering 429", metadata: ["error": "\(message)"])
                throw Problem.busy("the service cannot store this right now; send it again shortly")
            case .notFound(let message): throw Problem.notFound(message)
            case .conflict(let message): throw Problem.conflict(message)
            case .corrupt(let message):
                context.logger.error("stored data cannot be read", metadata: ["error": "\(message)"])
                throw Problem(
                    "storage-corrupt",
                    status: .internalServerError,
                    detail: "stored data cannot be read back"
                )
            }
        } catch is NIOTooManyBytesError {
            throw Problem(
                "too-large",
                status: .contentTooLarge,
                detail: "the body is larger than \(RequestBody.limit) bytes"
            )
        } catch let error as any HTTPResponseError {
            let status = error.status
            if status == .notFound, let methods = MethodTable.served.methods(for: request.uri.path) {
                // The path exists; the method does not.
                var problem = Problem(
                    "method-not-allowed",
                    status: .methodNotAllowed,
                    detail: "\(request.uri.path) takes \(methods.joined(separator: ", ")), not \(request.method)"
                )
                problem.allow = methods.joined(separator: ", ")
                throw problem
            }
            let message = (error as? HTTPError)?.body ?? status.reasonPhrase
            throw Problem(status == .notFound ? "not-found" : "http-\(status.code)", status: status, detail: message)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(
                "internal",
                status: .internalServerError,
                detail: "an unexpected error occurred; it was logged"
            )
        }
    }
}
