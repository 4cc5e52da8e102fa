import HTTPTypes
public import HummingbirdCore
public import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Bounds on the HTTP listener's connections (DESIGN rule 7; issue 15, item 8): HTTP and SMPP
/// share the process's descriptors, so half-open or dribbling HTTP connections must not be able
/// to lock SMPP customers out.
///
/// - At most `maximum` connections at once, and `perPeer` from one address: one more is closed
///   as soon as it opens (and counted, and logged at most once a minute).
/// - A request must arrive whole — head and body — within `requestTimeout` of its first part;
///   a connection that dribbles its body is closed. (A head that never completes, or a
///   connection that sends nothing, is closed by the idle timeout.)
public final class ConnectionLimits: Sendable {
    public struct Configuration: Sendable {
        public var maximum: Int
        public var perPeer: Int
        /// No complete request head (or nothing at all) for this long: the connection is closed.
        public var idleTimeout: Duration
        /// A request's head and body within this long.
        public var requestTimeout: Duration

        public init(maximum: Int = 4_096, perPeer: Int = 256, idleTimeout: Duration = .seconds(30), requestTimeout: Duration = .seconds(30)) {
            self.maximum = maximum
            self.perPeer = perPeer
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
        }
    }

    let configuration: Configuration
    let logger: Logger
    let state = Mutex<(total: Int, perPeer: [String: Int], refused: Int, lastLog: ContinuousClock.Instant?)>((0, [:], 0, nil))

    public init(_ configuration: Configuration = .init(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Connections open now, and refused so far.
    public var counts: (open: Int, refused: Int) { self.state.withLock { ($0.total, $0.refused) } }

    /// A new connection from `peer`: false when it goes over a limit (it is not counted then).
    func admit(_ peer: String) -> Bool {
        let (admitted, log) = self.state.withLock { state -> (Bool, Int?) in
            if state.total < self.configuration.maximum, state.perPeer[peer, default: 0] < self.configuration.perPeer {
                state.total += 1
                state.perPeer[peer, default: 0] += 1
                return (true, nil)
            }
            state.refused += 1
            let now = ContinuousClock.now
            guard state.lastLog.map({ now - $0 >= .seconds(60) }) ?? true else { return (false, nil) }
            state.lastLog = now
            return (false, state.refused)
        }
        if let refused = log {
            self.logger.warning(
                "HTTP connection refused: too many open",
                metadata: [
                    "peer": "\(peer)", "limit": "\(self.configuration.maximum) in all, \(self.configuration.perPeer) per address",
                    "refused_so_far": "\(refused)",
                ])
        }
        return admitted
    }

    func release(_ peer: String) {
        self.state.withLock { state in
            state.total -= 1
            let left = state.perPeer[peer, default: 1] - 1
            state.perPeer[peer] = left > 0 ? left : nil
        }
    }

    /// The HTTP/1 server's channel configuration with these limits.
    public var channelConfiguration: HTTP1Channel.Configuration {
        .init(
            additionalChannelHandlers: [ConnectionGuard(limits: self)],
            idleTimeout: .nanoseconds(Int64(self.configuration.idleTimeout.components.seconds) * 1_000_000_000
                + self.configuration.idleTimeout.components.attoseconds / 1_000_000_000))
    }
}

/// One per connection: counts it against the limits, and closes it when a request takes too long
/// to arrive.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limits: ConnectionLimits
    var peer: String?
    var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits) { self.limits = limits }

    func channelActive(context: ChannelHandlerContext) {
        if self.peer == nil { self.admit(context) }
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added to a channel already active (the server's initializer may run after activation).
        if context.channel.isActive { self.admit(context) }
    }

    /// Counts the connection, or closes it when it goes over a limit.
    func admit(_ context: ChannelHandlerContext) {
        let peer = context.channel.remoteAddress?.ipAddress ?? "?"
        guard self.limits.admit(peer) else {
            self.peer = ""  // not counted: nothing to release
            context.close(promise: nil)
            return
        }
        self.peer = peer
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        if let peer = self.peer, !peer.isEmpty {
            self.peer = ""
            self.limits.release(peer)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head:
            self.deadline?.cancel()
            let timeout = self.limits.configuration.requestTimeout
            let channel = context.channel
            self.deadline = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) {
                // The request did not arrive in time: the connection goes.
                channel.close(promise: nil)
            }
        case .end:
            self.deadline?.cancel()
            self.deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }
}
