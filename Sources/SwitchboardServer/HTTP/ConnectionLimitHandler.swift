import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Caps the connections the server holds open at once. A connection beyond the cap is refused fast: its first
/// request gets `503` with `Retry-After` and the connection is closed (one that sends nothing is closed after a
/// second), so an idle-connection flood cannot starve the descriptors that health checks and real clients need.
final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The connections open now, shared by every connection's handler.
    final class Count: Sendable {
        let open = Atomic<Int>(0)
        let maximum: Int
        init(maximum: Int) { self.maximum = maximum }
    }

    private let count: Count
    private var refused = false
    private var answered = false
    private var counted = false

    init(count: Count) {
        self.count = count
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        let open = count.open.add(1, ordering: .relaxed).newValue
        guard open > count.maximum else { return }
        refused = true
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { context.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted { count.open.subtract(1, ordering: .relaxed) }
        counted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refused else {
            context.fireChannelRead(data)
            return
        }
        guard case .head = unwrapInboundIn(data), !answered else { return }
        answered = true
        let body = ByteBuffer(
            string: #"{"type":"urn:switchboard:problem:too-many-connections","title":"Too many connections","#
                + #""status":503,"detail":"the server holds its maximum of open connections; retry shortly"}"#
        )
        var head = HTTPResponse(status: .serviceUnavailable)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = "\(body.readableBytes)"
        head.headerFields[.retryAfter] = "1"
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
