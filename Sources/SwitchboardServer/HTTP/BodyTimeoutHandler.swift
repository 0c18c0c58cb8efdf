import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body does not arrive in time: from the request head to its end, a client
/// gets `timeout`. A client trickling a body a byte at a time (slowloris) no longer holds a request — and the
/// memory its body takes — for as long as it likes. (Slow or missing headers are the idle timeout's: Hummingbird
/// closes a connection that has not sent a complete head within it.)
final class BodyTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { context.close(promise: nil) }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
