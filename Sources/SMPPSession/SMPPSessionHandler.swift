public import NIOCore
public import SMPPCore

/// What the application writes into a session's pipeline.
public enum SessionOutbound: Sendable {
    /// ESME: bind; the promise gets the bind response (whatever its status).
    case bind(BindType, Bind, EventLoopPromise<SMPPPacket>)
    /// A request; the promise gets its response, or fails with `SessionError`.
    case request(PDU, EventLoopPromise<SMPPPacket>)
    /// The answer to a delivered request (same sequence number).
    case response(SMPPPacket)
    /// SMSC: the verdict on a `SessionInbound.authenticate`.
    case acceptBind(sequenceNumber: UInt32, systemID: String)
    case rejectBind(sequenceNumber: UInt32, status: CommandStatus)
    /// Unbind gracefully: drain the window, unbind, close.
    case unbind
}

/// What a session passes to the application.
public enum SessionInbound: Sendable {
    /// A request of the peer the state allows (deliver_sm, submit_sm, data_sm, outbind…); answer
    /// it with `SessionOutbound.response`.
    case request(SMPPPacket)
    /// SMSC: a bind to check.
    case authenticate(BindType, Bind, sequenceNumber: UInt32)
    case bound(BindType)
}

/// Runs a `SessionStateMachine` on a channel: the one place its actions become I/O.
///
/// Pipeline: `ByteToMessageHandler(SMPPMessageDecoder())`, then this handler, which encodes what
/// it sends itself — so a request that breaks a field limit fails at once (its promise gets
/// `SessionError.invalidRequest`) rather than waiting for a response that cannot come. A framing
/// failure from the decoder is answered with its generic_nack and the channel closed.
public final class SMPPSessionHandler: ChannelDuplexHandler {
    public typealias InboundIn = SMPPInbound
    public typealias InboundOut = SessionInbound
    public typealias OutboundIn = SessionOutbound
    public typealias OutboundOut = ByteBuffer

    typealias Machine = SessionStateMachine<EventLoopInstant, EventLoopPromise<SMPPPacket>>

    private var machine: Machine?
    private let configuration: SessionConfiguration
    private var timers: [SessionTimer: Scheduled<Void>] = [:]
    private var context: ChannelHandlerContext?

    public init(configuration: SessionConfiguration) {
        self.configuration = configuration
    }

    public var state: SessionState { self.machine?.state ?? .open }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.machine = Machine(configuration: self.configuration, now: EventLoopInstant(context.eventLoop.now))
        if context.channel.isActive { self.run(self.machine!.connected(now: self.now(context)), context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        for timer in self.timers.values { timer.cancel() }
        self.timers.removeAll()
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.run(self.machine!.connected(now: self.now(context)), context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.run(self.machine!.closed(), context: context)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let inbound = self.unwrapInboundIn(data)
        self.run(self.machine!.received(inbound, now: self.now(context)), context: context)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Framing is lost: answer with generic_nack ESME_RINVCMDLEN, then close.
        if let error = error as? SMPPDecodingError, error.closesSession, let reply = error.replyPacket,
            let bytes = try? reply.encoded()
        {
            context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
        }
        context.close(promise: nil)
        context.fireErrorCaught(error)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let now = self.now(context)
        let actions: [Machine.Action]
        switch self.unwrapOutboundIn(data) {
        case .bind(let type, let bind, let response):
            actions = self.machine!.bind(type, bind, context: response, now: now)
        case .request(let pdu, let response):
            actions = self.machine!.send(pdu, context: response, now: now)
        case .response(let packet):
            do {
                context.write(self.wrapOutboundOut(try self.encode(packet, context: context)), promise: promise)
            } catch {
                promise?.fail(error)
            }
            return
        case .acceptBind(let sequence, let systemID):
            actions = self.machine!.acceptBind(sequenceNumber: sequence, systemID: systemID, now: now)
        case .rejectBind(let sequence, let status):
            actions = self.machine!.rejectBind(sequenceNumber: sequence, status: status)
        case .unbind:
            actions = self.machine!.unbind(now: now)
        }
        promise?.succeed(())
        self.run(actions, context: context)
    }

    private func now(_ context: ChannelHandlerContext) -> EventLoopInstant { EventLoopInstant(context.eventLoop.now) }

    private func encode(_ packet: SMPPPacket, context: ChannelHandlerContext) throws(SMPPEncodingError) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        try packet.encode(into: &buffer)
        return buffer
    }

    /// The only place actions become I/O.
    private func run(_ actions: [Machine.Action], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .send(let packet):
                do {
                    context.write(self.wrapOutboundOut(try self.encode(packet, context: context)), promise: nil)
                    wrote = true
                } catch {
                    self.run(self.machine!.sendFailed(sequenceNumber: packet.sequenceNumber, error: error), context: context)
                }
            case .complete(let promise, .success(let packet)):
                promise.succeed(packet)
            case .complete(let promise, .failure(let error)):
                promise.fail(error)
            case .deliver(let packet):
                context.fireChannelRead(self.wrapInboundOut(.request(packet)))
            case .authenticate(let type, let bind, let sequence):
                context.fireChannelRead(self.wrapInboundOut(.authenticate(type, bind, sequenceNumber: sequence)))
            case .bound(let type):
                context.fireChannelRead(self.wrapInboundOut(.bound(type)))
            case .schedule(let timer, let at):
                self.timers[timer]?.cancel()
                self.timers[timer] = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: at.deadline) {
                    [weak self] in self?.timerFired(timer)
                }
            case .cancel(let timer):
                self.timers.removeValue(forKey: timer)?.cancel()
            case .close:
                if wrote { context.flush() }
                wrote = false
                context.close(promise: nil)
            }
        }
        if wrote { context.flush() }
    }

    private func timerFired(_ timer: SessionTimer) {
        guard let context = self.context else { return }
        self.timers[timer] = nil
        self.run(self.machine!.timerFired(timer, now: self.now(context)), context: context)
    }
}

@available(*, unavailable)
extension SMPPSessionHandler: Sendable {}
