import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers requests the HTTP parser refuses for their size with the status that says why, as
/// `application/problem+json`: `414` when the request line (the URL) is too long, `431` when the headers are
/// (too large, or too many). Without it the parser's refusal is a bare `400` with no body.
///
/// It tells the two apart with a small peek at the raw bytes before the parser (``RequestLinePeek``, which it
/// puts at the front of the pipeline): whether the current request's first line is most of what was sent (the
/// parser may only notice the overflow once that line has ended).
final class OversizeRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let peek = RequestLinePeek()
    private var refused = false

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.pipeline.syncOperations.addHandler(peek, position: .first)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A response finished: the next bytes start a new request.
        if case .end = unwrapOutboundIn(data) { peek.reset() }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        guard !refused else { return }
        refused = true
        let urlTooLong = peek.requestLineIsTheBulk
        let status: HTTPResponse.Status = urlTooLong ? .uriTooLong : .requestHeaderFieldsTooLarge
        let detail =
            urlTooLong
            ? "the URL is too long (at most 80 KB, query included)"
            : "the request headers are too large (at most 80 KB in all, and at most 1,000 of them)"
        let body = ByteBuffer(
            string: #"{"type":"urn:switchboard:problem:http-\#(status.code)","title":"\#(status.reasonPhrase)","#
                + #""status":\#(status.code),"detail":"\#(detail)"}"#
        )
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = "\(body.readableBytes)"
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Watches the raw bytes of a connection for the end of the current request's first line.
final class RequestLinePeek: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Whether the current request's line has ended (`\n` seen since it began).
    private(set) var requestLineEnded = false
    /// The bytes of the current request's line so far, and of the whole request so far.
    private(set) var requestLineBytes = 0
    private(set) var requestBytes = 0

    /// Whether the request line is what made the head too large: unfinished, or most of the head.
    var requestLineIsTheBulk: Bool { !requestLineEnded || requestLineBytes * 2 > requestBytes }

    func reset() {
        requestLineEnded = false
        requestLineBytes = 0
        requestBytes = 0
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if !requestLineEnded {
            if let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                requestLineEnded = true
                requestLineBytes += newline - buffer.readerIndex
            } else {
                requestLineBytes += buffer.readableBytes
            }
        }
        requestBytes += buffer.readableBytes
        context.fireChannelRead(data)
    }
}
