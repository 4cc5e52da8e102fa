public import NIOCore
public import SMPPCore

/// What the application writes into a session's pipeline.
/// `indirect` (as `SessionInbound`): a pointer through the pipeline, not a PDU copied by value.
public indirect enum SessionOutbound: Sendable {
    /// ESME: bind; the promise gets the bind response (whatever its status).
    case bind(BindType, Bind, EventLoopPromise<SMPPPacket>)
    /// A request; the promise gets its response, or fails with `SessionError`. When the window
    /// is full the request waits (in order) for a slot; its response timeout starts when it is sent.
    case request(PDU, EventLoopPromise<SMPPPacket>)
    /// Several requests written together (one event-loop hop, one flush): the promise gets every
    /// outcome, in the order given, once the last has its response or has failed.
    case requests([PDU], EventLoopPromise<SessionBatchResult>)
    /// The answer to a delivered request (same sequence number).
    case response(SMPPPacket)
    /// SMSC: the verdict on a `SessionInbound.authenticate`.
    case acceptBind(sequenceNumber: UInt32, systemID: String)
    case rejectBind(sequenceNumber: UInt32, status: CommandStatus)
    /// Unbind gracefully: drain the window, unbind, close.
    case unbind
}

/// The outcomes of a `SessionOutbound.requests` batch, in the order of its PDUs.
public struct SessionBatchResult: Sendable {
    public var results: [Result<SMPPPacket, SessionError>]
    /// When each outcome was known (the response read, or the failure decided).
    public var completedAt: [NIODeadline]
}

/// What a session passes to the application.
public indirect enum SessionInbound: Sendable {
    /// A request of the peer the state allows (deliver_sm, submit_sm, data_sm, outbind…); answer
    /// it with `SessionOutbound.response`.
    case request(SMPPPacket)
    /// SMSC: a bind to check.
    case authenticate(BindType, Bind, sequenceNumber: UInt32)
    case bound(BindType)
}

/// Runs a `SessionStateMachine` on a channel: the one place its actions become I/O.
///
/// Pipeline: `SMPPFrameDecoder()`, then this handler, which encodes what
/// it sends itself — so a request that breaks a field limit fails at once (its promise gets
/// `SessionError.invalidRequest`) rather than waiting for a response that cannot come. A framing
/// failure from the decoder is answered with its generic_nack and the channel closed.
///
/// Requests beyond the window wait here, in order, and go out as responses free slots. Writes
/// made while handling a read are flushed once, at `channelReadComplete`.
public final class SMPPSessionHandler: ChannelDuplexHandler {
    public typealias InboundIn = SMPPInbound
    public typealias InboundOut = SessionInbound
    public typealias OutboundIn = SessionOutbound
    public typealias OutboundOut = ByteBuffer

    typealias Machine = SessionStateMachine<EventLoopInstant, RequestContext>

    // The handler's state is touched only on its channel's event loop, one call at a time, and
    // never through overlapping accesses: the runtime's exclusivity checks (a thread-local
    // lookup per access, ~5 % of the per-PDU time) are switched off for it.

    @exclusivity(unchecked) private var machine: Machine?
    private let configuration: SessionConfiguration
    @exclusivity(unchecked) private var timers: [SessionTimer: Scheduled<Void>] = [:]
    @exclusivity(unchecked) private var context: ChannelHandlerContext?
    /// Requests waiting for a window slot, oldest first.
    @exclusivity(unchecked) private var waiting = CircularBuffer<(PDU, RequestContext)>()
    /// `unbind` was asked while requests were waiting: it follows the last of them.
    @exclusivity(unchecked) private var unbindRequested = false
    @exclusivity(unchecked) private var reading = false
    /// When the socket read being handled began.
    @exclusivity(unchecked) private var readTime = EventLoopInstant(.uptimeNanoseconds(0))
    @exclusivity(unchecked) private var needsFlush = false
    /// PDUs encoded since the last flush, back to back: one buffer and one write per flush
    /// instead of one per PDU.
    @exclusivity(unchecked) private var queued: ByteBuffer?

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
        self.failWaiting()
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.run(self.machine!.connected(now: self.now(context)), context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.run(self.machine!.closed(), context: context)
        self.failWaiting()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !self.reading {
            // One clock reading for the PDUs of one socket read (they arrived together).
            self.reading = true
            self.readTime = self.now(context)
        }
        let inbound = self.unwrapInboundIn(data)
        var actions = self.takeBuffer()
        self.machine!.received(inbound, now: self.readTime, into: &actions)
        self.run(actions, context: context)
        self.returnBuffer(consume actions)
        self.sendWaiting(context: context)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        self.reading = false
        if self.needsFlush {
            self.needsFlush = false
            self.flushQueued(context)
        }
        context.fireChannelReadComplete()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Framing is lost: answer with generic_nack ESME_RINVCMDLEN, then close.
        if let error = error as? SMPPDecodingError, error.closesSession, let reply = error.replyPacket,
            let bytes = try? reply.encoded()
        {
            self.writeQueued(context)  // answers decided before the failure go first
            context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
        }
        context.close(promise: nil)
        context.fireErrorCaught(error)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let now = self.now(context)
        switch self.unwrapOutboundIn(data) {
        case .bind(let type, let bind, let response):
            self.run(self.machine!.bind(type, bind, context: .promise(response), now: now), context: context)
        case .request(let pdu, let response):
            self.request(pdu, .promise(response), now: now, context: context)
        case .requests(let pdus, let response):
            let batch = RequestBatch(count: pdus.count, promise: response)
            if pdus.isEmpty { batch.finish() }
            for (index, pdu) in pdus.enumerated() {
                self.request(pdu, .batch(batch, index), now: now, context: context)
            }
        case .response(let packet):
            do {
                try self.queue(packet, context: context)
                if let promise {
                    // Someone waits for this write: hand it to the channel now, with its promise.
                    self.writeQueued(context, promise: promise)
                }
                if self.reading { self.needsFlush = true }
            } catch {
                promise?.fail(error)
            }
            return
        case .acceptBind(let sequence, let systemID):
            self.run(self.machine!.acceptBind(sequenceNumber: sequence, systemID: systemID, now: now), context: context)
        case .rejectBind(let sequence, let status):
            self.run(self.machine!.rejectBind(sequenceNumber: sequence, status: status), context: context)
        case .unbind:
            if self.waiting.isEmpty {
                self.run(self.machine!.unbind(now: now), context: context)
            } else {
                self.unbindRequested = true
            }
        }
        promise?.succeed(())
    }

    private func request(_ pdu: PDU, _ request: RequestContext, now: EventLoopInstant, context: ChannelHandlerContext) {
        if self.unbindRequested {
            request.complete(.failure(SessionError(.closed)))
        } else if self.waiting.isEmpty && self.machine!.canSend {
            var actions = self.takeBuffer()
            self.machine!.send(pdu, context: request, now: now, into: &actions)
            self.run(actions, context: context)
            self.returnBuffer(consume actions)
        } else {
            self.waiting.append((pdu, request))
        }
    }

    /// Sends waiting requests while the window has room; then a deferred unbind.
    private func sendWaiting(context: ChannelHandlerContext) {
        guard !self.waiting.isEmpty || self.unbindRequested else { return }
        let now = self.now(context)
        while self.machine!.canSend, let (pdu, request) = self.waiting.popFirst() {
            var actions = self.takeBuffer()
            self.machine!.send(pdu, context: request, now: now, into: &actions)
            self.run(actions, context: context)
            self.returnBuffer(consume actions)
        }
        if self.unbindRequested, self.waiting.isEmpty {
            self.unbindRequested = false
            self.run(self.machine!.unbind(now: now), context: context)
        }
        if !self.reading, self.needsFlush {
            self.needsFlush = false
            self.flushQueued(context)
        }
    }

    private func failWaiting() {
        while let (_, request) = self.waiting.popFirst() { request.complete(.failure(SessionError(.closed))) }
        self.unbindRequested = false
    }

    /// A flush asked for while a read is being handled waits for the end of the read
    /// (`channelReadComplete`), so answers and requests written in one read share one syscall.
    public func flush(context: ChannelHandlerContext) {
        if self.reading {
            self.needsFlush = true
            return
        }
        self.needsFlush = false
        self.flushQueued(context)
    }

    /// Action buffers, reused: running actions can re-enter the handler (a completed request's
    /// callback sends the next), so each level takes its own, and none is made per PDU.
    @exclusivity(unchecked) private var spareBuffers: [[Machine.Action]] = []

    private func takeBuffer() -> [Machine.Action] {
        self.spareBuffers.popLast() ?? {
            var buffer: [Machine.Action] = []
            buffer.reserveCapacity(4)
            return buffer
        }()
    }

    private func returnBuffer(_ buffer: consuming [Machine.Action]) {
        var buffer = buffer
        buffer.removeAll(keepingCapacity: true)
        if self.spareBuffers.count < 8 { self.spareBuffers.append(buffer) }
    }

    private func now(_ context: ChannelHandlerContext) -> EventLoopInstant { EventLoopInstant(context.eventLoop.now) }

    /// Encodes `packet` after the PDUs already waiting for the next flush (a PDU that breaks a
    /// field limit writes nothing and throws).
    private func queue(_ packet: SMPPPacket, context: ChannelHandlerContext) throws(SMPPEncodingError) {
        if self.queued == nil { self.queued = context.channel.allocator.buffer(capacity: 4_096) }
        try packet.encode(into: &self.queued!)
    }

    private func writeQueued(_ context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        guard let buffer = self.queued, buffer.readableBytes > 0 else {
            promise?.succeed(())
            return
        }
        self.queued = nil
        context.write(self.wrapOutboundOut(buffer), promise: promise)
    }

    /// Writes what is queued, then flushes.
    private func flushQueued(_ context: ChannelHandlerContext) {
        self.writeQueued(context)
        context.flush()
    }

    /// The only place actions become I/O. Writes are flushed by the caller's flush, at the end of
    /// a read, or (for timers) here.
    private func run(_ actions: [Machine.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let packet):
                do {
                    try self.queue(packet, context: context)
                    self.needsFlush = true
                } catch {
                    self.run(self.machine!.sendFailed(sequenceNumber: packet.sequenceNumber, error: error), context: context)
                }
            case .complete(let request, let result):
                request.complete(result)
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
                self.needsFlush = false
                self.flushQueued(context)
                context.close(promise: nil)
            }
        }
    }

    private func timerFired(_ timer: SessionTimer) {
        guard let context = self.context else { return }
        self.timers[timer] = nil
        self.run(self.machine!.timerFired(timer, now: self.now(context)), context: context)
        self.sendWaiting(context: context)
        if self.needsFlush, !self.reading {
            self.needsFlush = false
            self.flushQueued(context)
        }
    }
}

@available(*, unavailable)
extension SMPPSessionHandler: Sendable {}

/// Whom a request's outcome goes to: its own promise, or a slot of a batch.
enum RequestContext: Sendable {
    case promise(EventLoopPromise<SMPPPacket>)
    case batch(RequestBatch, Int)

    func complete(_ result: Result<SMPPPacket, SessionError>) {
        switch self {
        case .promise(let promise):
            switch result {
            case .success(let packet): promise.succeed(packet)
            case .failure(let error): promise.fail(error)
            }
        case .batch(let batch, let index):
            batch.complete(index, result)
        }
    }
}

/// Collects the outcomes of one `SessionOutbound.requests`. Confined to the channel's event loop
/// (created, filled and finished there), hence the unchecked conformance.
final class RequestBatch: @unchecked Sendable {
    @exclusivity(unchecked) private var result: SessionBatchResult
    @exclusivity(unchecked) private var remaining: Int
    private let promise: EventLoopPromise<SessionBatchResult>

    init(count: Int, promise: EventLoopPromise<SessionBatchResult>) {
        let placeholder = Result<SMPPPacket, SessionError>.failure(SessionError(.closed))
        self.result = SessionBatchResult(
            results: Array(repeating: placeholder, count: count), completedAt: Array(repeating: .uptimeNanoseconds(0), count: count))
        self.remaining = count
        self.promise = promise
    }

    func complete(_ index: Int, _ outcome: Result<SMPPPacket, SessionError>) {
        self.result.results[index] = outcome
        self.result.completedAt[index] = .now()
        self.remaining -= 1
        if self.remaining == 0 { self.finish() }
    }

    func finish() { self.promise.succeed(self.result) }
}
