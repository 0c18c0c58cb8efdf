import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import Synchronization

/// A local HTTP endpoint that records what it receives on `POST /<name>` and answers with the status set for
/// that name (200 unless told otherwise) — a stand-in for the receivers of notification webhooks.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var name: String
        var headers: HTTPFields
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    private let state = Mutex<(received: [Received], statuses: [String: HTTPResponse.Status])>(([], [:]))
    let baseURL: URL

    private init(port: Int) { baseURL = URL(string: "http://127.0.0.1:\(port)")! }

    func url(_ name: String) -> URL { baseURL.appendingPathComponent(name) }

    /// From now on, `POST /<name>` answers `status`.
    func answer(_ name: String, with status: HTTPResponse.Status) { state.withLock { $0.statuses[name] = status } }

    /// Every request so far, in order (also the failed ones).
    var received: [Received] { state.withLock { $0.received } }

    /// The requests a name answered with 2xx.
    func accepted(_ name: String) -> [Received] {
        state.withLock { state in
            (state.statuses[name] ?? .ok).code < 300 ? state.received.filter { $0.name == name } : []
        }
    }

    /// Waits until `condition` holds (or fails the wait after `timeout`).
    func wait(timeout: Duration = .seconds(60), until condition: ([Received]) -> Bool) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let now = received
            if condition(now) { return now }
            try await Task.sleep(for: .milliseconds(20))
        }
        return received
    }

    private func record(_ name: String, headers: HTTPFields, body: Data) -> HTTPResponse.Status {
        state.withLock { state in
            state.received.append(Received(name: name, headers: headers, body: body))
            return state.statuses[name] ?? .ok
        }
    }

    /// Runs a receiver on a free port for the duration of `body`.
    static func withRunning<T: Sendable>(_ body: @Sendable (WebhookReceiver) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let box = Mutex<WebhookReceiver?>(nil)
        let router = Router()
        router.post(":name") { request, context -> Response in
            let data = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            let name = context.parameters.get("name") ?? ""
            let status = box.withLock { $0 }?.record(name, headers: request.headers, body: data) ?? .ok
            return Response(status: status)
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let receiver = WebhookReceiver(port: await iterator.next() ?? 0)
            box.withLock { $0 = receiver }
            defer { tasks.cancelAll() }
            let result = try await body(receiver)
            await group.triggerGracefulShutdown()
            return result
        }
    }
}
