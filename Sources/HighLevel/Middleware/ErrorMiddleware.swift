import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Turns every non-2xx answer into a ``HighLevelError`` carrying GHL's message and traceId, so that callers see
/// one error type whatever the operation.
struct ErrorMiddleware: ClientMiddleware {
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let response: HTTPResponse
        let responseBody: HTTPBody?
        do {
            (response, responseBody) = try await next(request, body, baseURL)
        } catch {
            switch error.unwrappedFromClientErrors {
            case let error as HighLevelError: throw error
            case is CancellationError: throw CancellationError()
            case let cause:
                throw HighLevelError(
                    code: .transport,
                    message: String(describing: cause),
                    operation: operationID,
                    isRetryable: true
                )
            }
        }
        let status = response.status.code
        guard !(200..<300).contains(status) else { return (response, responseBody) }
        var data = Data()
        if let responseBody { data = (try? await Data(collecting: responseBody, upTo: 65_536)) ?? Data() }
        let details = try? JSONDecoder().decode(ErrorBody.self, from: data)
        throw HighLevelError(
            code: .httpStatus,
            status: status,
            message: details?.message?.text ?? response.status.reasonPhrase,
            traceID: details?.traceId,
            operation: operationID,
            isRetryable: HighLevelError.isRetryable(status: status)
        )
    }

    /// GHL's error bodies: `{ "statusCode", "message" (a string or a list), "error", "traceId" }`.
    private struct ErrorBody: Decodable {
        var message: Message?
        var traceId: String?

        enum Message: Decodable {
            case one(String)
            case many([String])

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .one(text)
                } else {
                    self = .many(try container.decode([String].self))
                }
            }

            var text: String {
                switch self {
                case .one(let text): text
                case .many(let texts): texts.joined(separator: "; ")
                }
            }
        }
    }
}

extension Error {
    /// The error a middleware or transport threw, from inside the `ClientError`s the runtime wraps it in at each
    /// middleware boundary.
    var unwrappedFromClientErrors: any Error {
        var error: any Error = self
        while let wrapped = error as? ClientError { error = wrapped.underlyingError }
        return error
    }
}
