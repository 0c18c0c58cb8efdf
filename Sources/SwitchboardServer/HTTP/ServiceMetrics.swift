import LeadRouting
import Metrics
public import Prometheus
import Synchronization

/// The service's metrics, kept in its own Prometheus registry (so that every application — and every test —
/// has its own) and recorded through swift-metrics.
public struct ServiceMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        self.factory = factory
    }

    /// One HTTP request answered: `http_server_request_duration_seconds{method,route,status}`.
    func recordRequest(method: String, route: String, status: Int, nanoseconds: Int64) {
        let key = RequestKey(method: method, route: route, status: status)
        let timer = requestTimers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(
                label: "http_server_request_duration_seconds",
                dimensions: [("method", method), ("route", route), ("status", String(status))],
                preferredDisplayUnit: .seconds,
                factory: factory
            )
            timers[key] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
    }

    private struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    /// One timer per method, route and status, made once (making one is a registry lookup under a lock).
    private let requestTimers = Cache()

    private final class Cache: Sendable {
        private let timers = Mutex<[RequestKey: Metrics.Timer]>([:])
        func withLock<T>(_ body: (inout [RequestKey: Metrics.Timer]) -> T) -> T { timers.withLock { body(&$0) } }
    }

    /// A lead stored: `switchboard_leads_received_total{channel}`.
    func leadReceived(channel: String) {
        Counter(label: "switchboard_leads_received_total", dimensions: [("channel", channel)], factory: factory)
            .increment()
    }

    /// A lead routed: `switchboard_leads_routed_total{outcome}` and `switchboard_routing_duration_seconds`.
    func leadRouted(outcome: RoutingOutcome, nanoseconds: Int64) {
        Counter(label: "switchboard_leads_routed_total", dimensions: [("outcome", outcome.rawValue)], factory: factory)
            .increment()
        Metrics.Timer(label: "switchboard_routing_duration_seconds", preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(nanoseconds)
    }

    /// A webhook turned away: `switchboard_webhooks_rejected_total{reason}`.
    func webhookRejected(reason: String) {
        Counter(label: "switchboard_webhooks_rejected_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    /// A GHL event about a contact: `switchboard_ghl_events_total{type, result}` (applied, duplicate, untracked).
    func ghlEventTracked(type: String, result: String) {
        Counter(
            label: "switchboard_ghl_events_total",
            dimensions: [("type", type), ("result", result)],
            factory: factory
        )
        .increment()
    }

    /// Leads waiting in the review queue, and routing jobs waiting.
    func queueDepth(review: Int? = nil, routing: Int) {
        Gauge(label: "switchboard_routing_jobs_pending", factory: factory).record(routing)
    }

    /// A location's state and capacity: `switchboard_location_active{location}` (1 when it takes live leads),
    /// `switchboard_location_leads_today{location}`, `switchboard_location_leads_this_week{location}` and, when it
    /// has one, `switchboard_location_daily_limit{location}`.
    func location(_ location: Location, usage: CapacityUsage) {
        let dimensions = [("location", location.id)]
        Gauge(label: "switchboard_location_active", dimensions: dimensions, factory: factory)
            .record(location.status == .active ? 1 : 0)
        Gauge(label: "switchboard_location_leads_today", dimensions: dimensions, factory: factory).record(usage.today)
        Gauge(label: "switchboard_location_leads_this_week", dimensions: dimensions, factory: factory)
            .record(usage.thisWeek)
        if let limit = location.capacity.daily {
            Gauge(label: "switchboard_location_daily_limit", dimensions: dimensions, factory: factory).record(limit)
        }
    }

    /// The Prometheus text exposition.
    public func render() -> String { registry.emitToString() }
}
