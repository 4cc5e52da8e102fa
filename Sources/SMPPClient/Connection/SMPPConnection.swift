public import Logging
public import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
import NIOSSL
public import SMPPCore
public import SMPPSession

/// One bound SMPP session to an SMSC, as an ESME.
///
/// ```swift
/// let connection = try await SMPPConnection.connect(
///     .init(host: "smsc.example.net", systemID: "acme", password: "secret"))
/// let reply = try await connection.submit(SubmitSM(
///     source: SMPPAddress(ton: .alphanumeric, "ACME"), destination: SMPPAddress(ton: .international, npi: .isdn, "4479460000"),
///     registeredDelivery: .finalReceipt, shortMessage: ByteBuffer(string: "Hello")))
/// for await inbound in connection.inbound { … }   // receipts and MO, already acknowledged
/// try await connection.close()                     // drains the window, unbinds
/// ```
///
/// Requests beyond the window wait for a slot, in order; every request has a response timeout
/// (`SessionConfiguration.responseTimeout`), so no call waits forever. When the connection goes,
/// every outstanding request fails with `SessionError.closed` and `inbound` finishes.
/// Keep-alive (enquire_link) runs on its own. For several binds with reconnects, use `SMPPClient`.
public final class SMPPConnection: Sendable {
    let channel: any Channel
    /// The bind this session holds.
    public let bindType: BindType
    /// The SMSC's system_id from its bind_resp.
    public let smscSystemID: String
    /// The interface version the SMSC reported (sc_interface_version), if it did.
    public let smscInterfaceVersion: UInt8?
    /// Receipts and MO messages, acknowledged as they arrive; finishes when the connection closes.
    /// Consume it on receiver and transceiver binds: it buffers without bound.
    public let inbound: InboundMessages
    let logger: Logger

    init(channel: any Channel, bindType: BindType, response: BindResp, inbound: InboundMessages, logger: Logger) {
        self.channel = channel
        self.bindType = bindType
        self.smscSystemID = response.systemID
        self.smscInterfaceVersion = response.tlvs.scInterfaceVersion
        self.inbound = inbound
        self.logger = logger
    }

    /// Connects (TCP, then TLS when configured) and binds. Throws `.connectFailed`,
    /// `.bindRejected(status)`, or `.session(.timeout)` when the SMSC does not answer the bind.
    public static func connect(
        _ configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "smpp.client")
    ) async throws(SMPPClientError) -> SMPPConnection {
        let (stream, continuation) = AsyncStream<[InboundMessage]>.makeStream()
        let firstError = NIOLockedValueBox<(any Error)?>(nil)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000
                    + configuration.connectTimeout.components.attoseconds / 1_000_000_000))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configurePipeline(
                            channel.pipeline.syncOperations, configuration: configuration, inbound: continuation, firstError: firstError)
                    }
                }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            continuation.finish()
            throw SMPPClientError(.connectFailed("\(configuration.host):\(configuration.port): \(error)"))
        }
        var logger = logger
        logger[metadataKey: "smpp.peer"] = "\(configuration.host):\(configuration.port)"
        let promise = channel.eventLoop.makePromise(of: SMPPPacket.self)
        channel.writeAndFlush(SessionOutbound.bind(configuration.bindType, configuration.bind, promise), promise: Self.failing(promise, on: channel))
        let packet: SMPPPacket
        do {
            packet = try await promise.futureResult.get()
        } catch {
            try? await channel.close()
            // A TLS failure shows up as a closed session; name the real cause.
            throw Self.clientError(firstError.withLockedValue { $0 } ?? error, tls: configuration.tls.isEnabled)
        }
        guard packet.status.isOK, let response = packet.pdu.bindResponse else {
            try? await channel.close()
            throw SMPPClientError(.bindRejected(packet.status.isOK ? .bindFailed : packet.status))
        }
        logger.debug("bound", metadata: ["smpp.bind": "\(configuration.bindType)", "smpp.smsc": "\(response.systemID)"])
        return SMPPConnection(channel: channel, bindType: configuration.bindType, response: response, inbound: InboundMessages(batches: stream), logger: logger)
    }

    /// The handlers of a client session, in order; public so that a whole session can run on an
    /// `EmbeddedChannel` or `NIOAsyncTestingChannel`.
    public static func configurePipeline(
        _ pipeline: ChannelPipeline.SynchronousOperations, configuration: Configuration,
        inbound: AsyncStream<[InboundMessage]>.Continuation, firstError: NIOLockedValueBox<(any Error)?> = NIOLockedValueBox(nil)
    ) throws {
        if let tls = try configuration.tls.makeHandler(host: configuration.host) { try pipeline.addHandler(tls) }
        try pipeline.addHandlers([
            SMPPFrameDecoder(framing: SMPPFraming(maximumCommandLength: configuration.maximumPDULength)),
            SMPPSessionHandler(configuration: configuration.sessionForPipeline),
            SMPPInboundHandler(inbound: inbound, handler: configuration.inboundHandler, firstError: firstError),
        ])
    }

    /// The event loop the connection runs on (where `sendRequests` futures complete).
    public var eventLoop: any EventLoop { self.channel.eventLoop }

    /// Whether the connection is still open (it may be unbinding).
    public var isActive: Bool { self.channel.isActive }

    /// Completes when the connection has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    /// Sends any request and returns its response, whatever its status (a generic_nack included).
    public func request(_ pdu: PDU) async throws(SMPPClientError) -> SMPPPacket {
        let promise = self.channel.eventLoop.makePromise(of: SMPPPacket.self)
        self.channel.writeAndFlush(SessionOutbound.request(pdu, promise), promise: Self.failing(promise, on: self.channel))
        do {
            return try await promise.futureResult.get()
        } catch {
            throw Self.clientError(error, tls: false)
        }
    }

    /// Sends several requests in one go (one hop to the event loop, one flush); the outcomes come
    /// back in order. The fast path for load: `shortwave bench` submits through it.
    public func requests(_ pdus: [PDU]) async throws(SMPPClientError) -> SessionBatchResult {
        let promise = self.channel.eventLoop.makePromise(of: SessionBatchResult.self)
        self.channel.writeAndFlush(SessionOutbound.requests(pdus, promise), promise: Self.failing(promise, on: self.channel))
        do {
            return try await promise.futureResult.get()
        } catch {
            throw Self.clientError(error, tls: false)
        }
    }

    /// `requests(_:)` without an async hop: the future completes on the connection's event loop,
    /// where a caller may send the next batch at once (what `shortwave bench` does).
    public func sendRequests(_ pdus: [PDU]) -> EventLoopFuture<SessionBatchResult> {
        let promise = self.channel.eventLoop.makePromise(of: SessionBatchResult.self)
        self.channel.writeAndFlush(SessionOutbound.requests(pdus, promise), promise: Self.failing(promise, on: self.channel))
        return promise.futureResult
    }

    /// Submits one message; returns the SMSC's answer — an error status is a reply, not a throw.
    public func submit(_ message: SubmitSM) async throws(SMPPClientError) -> SMPPReply<MessageIDResponse> {
        SMPPReply(try await self.request(.submitSM(message)))
    }

    /// Submits several messages together; outcomes in order.
    public func submit(contentsOf messages: [SubmitSM]) async throws(SMPPClientError) -> [Result<SMPPReply<MessageIDResponse>, SMPPClientError>] {
        try await self.requests(messages.map { .submitSM($0) }).results.map { result in
            result.map(SMPPReply.init).mapError(SMPPClientError.session)
        }
    }

    public func submitMulti(_ message: SubmitMulti) async throws(SMPPClientError) -> SMPPReply<SubmitMultiResp> {
        SMPPReply(try await self.request(.submitMulti(message)))
    }

    public func dataSM(_ message: DataSM) async throws(SMPPClientError) -> SMPPReply<DataSMResp> {
        SMPPReply(try await self.request(.dataSM(message)))
    }

    public func query(_ query: QuerySM) async throws(SMPPClientError) -> SMPPReply<QuerySMResp> {
        SMPPReply(try await self.request(.querySM(query)))
    }

    public func cancel(_ cancel: CancelSM) async throws(SMPPClientError) -> SMPPReply<Void> {
        SMPPReply(try await self.request(.cancelSM(cancel)))
    }

    public func replace(_ replace: ReplaceSM) async throws(SMPPClientError) -> SMPPReply<Void> {
        SMPPReply(try await self.request(.replaceSM(replace)))
    }

    /// Ends the session gracefully: requests not yet sent are sent, the window drains, then
    /// unbind → unbind_resp → close. After `timeout` the connection is closed regardless.
    public func close(timeout: Duration = .seconds(10)) async {
        guard self.channel.isActive else { return }
        self.channel.writeAndFlush(SessionOutbound.unbind, promise: nil)
        let deadline = self.channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) {
            [channel] in channel.close(promise: nil)
        }
        try? await self.channel.closeFuture.get()
        deadline.cancel()
    }

    /// Closes the socket now, without unbinding; everything outstanding fails with `.closed`.
    public func abort() async {
        try? await self.channel.close()
    }

    /// A write promise that fails `response` when the write never reaches the session handler
    /// (the channel closed first): otherwise nothing would ever complete it.
    static func failing<Value>(_ response: EventLoopPromise<Value>, on channel: any Channel) -> EventLoopPromise<Void> {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in response.fail(SessionError(.closed)) }
        return written
    }

    static func clientError(_ error: any Error, tls: Bool) -> SMPPClientError {
        switch error {
        case let error as SMPPClientError: error
        case let error as SessionError: SMPPClientError(.session(error))
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError: SMPPClientError(.connectFailed("TLS: \(error)"))
        default: SMPPClientError(.session(SessionError(.closed)))
        }
    }
}

/// A response: its status, and its body (the body's defaults when the SMSC sent an error status
/// without one, or a generic_nack).
public struct SMPPReply<Body: Sendable>: Sendable {
    public var status: CommandStatus
    public var body: Body
    public var sequenceNumber: UInt32

    public var isOK: Bool { self.status.isOK }
}

extension SMPPReply where Body == MessageIDResponse {
    init(_ packet: SMPPPacket) {
        let body: MessageIDResponse = if case .submitSMResp(let resp) = packet.pdu { resp } else { MessageIDResponse() }
        self.init(status: packet.status, body: body, sequenceNumber: packet.sequenceNumber)
    }

    /// The SMSC's id for the message (empty when rejected).
    public var messageID: String { self.body.messageID }
}

extension SMPPReply where Body == SubmitMultiResp {
    init(_ packet: SMPPPacket) {
        let body: SubmitMultiResp = if case .submitMultiResp(let resp) = packet.pdu { resp } else { SubmitMultiResp() }
        self.init(status: packet.status, body: body, sequenceNumber: packet.sequenceNumber)
    }
}

extension SMPPReply where Body == DataSMResp {
    init(_ packet: SMPPPacket) {
        let body: DataSMResp = if case .dataSMResp(let resp) = packet.pdu { resp } else { DataSMResp() }
        self.init(status: packet.status, body: body, sequenceNumber: packet.sequenceNumber)
    }
}

extension SMPPReply where Body == QuerySMResp {
    init(_ packet: SMPPPacket) {
        let body: QuerySMResp = if case .querySMResp(let resp) = packet.pdu { resp } else { QuerySMResp() }
        self.init(status: packet.status, body: body, sequenceNumber: packet.sequenceNumber)
    }
}

extension SMPPReply where Body == Void {
    init(_ packet: SMPPPacket) {
        self.init(status: packet.status, body: (), sequenceNumber: packet.sequenceNumber)
    }
}

extension PDU {
    var bindResponse: BindResp? {
        switch self {
        case .bindTransmitterResp(let resp), .bindReceiverResp(let resp), .bindTransceiverResp(let resp): resp
        default: nil
        }
    }
}
