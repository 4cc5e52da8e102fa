public import NIOCore
public import NIOPosix
public import NIOSSL
public import SMPPCore
import SMPPSession
import Synchronization

/// A small SMSC for tests, on 127.0.0.1 and an ephemeral port: accepts binds with the configured
/// credentials, answers submit_sm with sequential hex message ids, and sends a delivery receipt
/// as deliver_sm when one is asked for. Real sockets, real codec, real session rules — plus the
/// misbehaviour a client must survive: silence, throttling, receipts before responses, resets,
/// garbage, server-initiated unbind.
public final class FakeSMSC: Sendable {
    public struct Configuration: Sendable {
        /// system_id → password.
        public var accounts: [String: String]
        public var systemID: String
        public var sendReceipts: Bool
        /// Write the receipt before the submit_sm_resp (both in one flush).
        public var receiptBeforeResponse: Bool
        /// submit_sm to these destination addresses get no answer at all.
        public var silentDestinations: Set<String>
        /// submit_sm to these destination addresses are answered only after `lateBy`.
        public var lateDestinations: Set<String>
        public var lateBy: Duration
        /// submit_sm to these destination addresses are answered only when `releaseHeld()` is
        /// called (a response as late as the test wants, whatever the machine's speed).
        public var heldDestinations: Set<String> = []
        /// Submits after the first N taken are held like `heldDestinations`, and their receipts
        /// go out after their responses when released (a long message whose last part the
        /// carrier is slow to answer, while the first parts' receipts are already in).
        public var holdAfter: Int?
        /// The first N submit_sm are answered with ESME_RTHROTTLED.
        public var throttleFirst: Int
        /// Spell receipt ids in decimal while submit_sm_resp uses hex (SMPP-NOTES problem #1).
        public var decimalReceiptIDs: Bool
        /// TLS on the listening port.
        public var tls: NIOSSLContext?

        public init(
            accounts: [String: String] = ["test": "secret"], systemID: String = "fake-smsc", sendReceipts: Bool = true,
            receiptBeforeResponse: Bool = false, silentDestinations: Set<String> = [], throttleFirst: Int = 0,
            decimalReceiptIDs: Bool = false, tls: NIOSSLContext? = nil, lateDestinations: Set<String> = [],
            lateBy: Duration = .seconds(1)
        ) {
            self.lateDestinations = lateDestinations
            self.lateBy = lateBy
            self.accounts = accounts
            self.systemID = systemID
            self.sendReceipts = sendReceipts
            self.receiptBeforeResponse = receiptBeforeResponse
            self.silentDestinations = silentDestinations
            self.throttleFirst = throttleFirst
            self.decimalReceiptIDs = decimalReceiptIDs
            self.tls = tls
        }
    }

    /// What the fake has seen, for assertions.
    public struct Record: Sendable {
        public var binds: [String] = []
        public var submitted: [SubmitSM] = []
        /// The message ids given in submit_sm_resp, in order.
        public var messageIDs: [String] = []
        public var throttled = 0
        public var receiptsAcknowledged = 0
        public var connections = 0
    }

    public let port: Int
    private let channel: any Channel
    private let record: Mutex<Record>
    let sessions: Mutex<[ObjectIdentifier: any Channel]>
    /// Responses kept back for `heldDestinations`.
    let held = Mutex<[(channel: any Channel, response: SMPPPacket, receipt: DeliverSM?)]>([])

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.record = Mutex(Record())
        self.sessions = Mutex([:])
    }

    public var seen: Record { self.record.withLock { $0 } }

    public static func start(
        configuration: Configuration = Configuration(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> FakeSMSC {
        let box = Box()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if let tls = configuration.tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try child.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(SMPPMessageDecoder()),
                        SMPPSessionHandler(configuration: SessionConfiguration(role: .smsc)),
                        FakeSMSCHandler(configuration: configuration, box: box),
                    ])
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let smsc = FakeSMSC(channel: channel)
        box.smsc.withLock { $0 = smsc }
        return smsc
    }

    public func stop() async throws {
        for session in self.sessions.withLock({ Array($0.values) }) { try? await session.close() }
        try await self.channel.close()
    }

    /// Sends the responses held back for `heldDestinations` (to the sessions still open).
    public func releaseHeld() async {
        let held = self.held.withLock { held in
            defer { held = [] }
            return held
        }
        for (channel, response, receipt) in held {
            try? await channel.writeAndFlush(SessionOutbound.response(response))
            if let receipt {
                let acknowledged = channel.eventLoop.makePromise(of: SMPPPacket.self)
                acknowledged.futureResult.whenSuccess { _ in self.update { $0.receiptsAcknowledged += 1 } }
                try? await channel.writeAndFlush(SessionOutbound.request(.deliverSM(receipt), acknowledged))
            }
        }
    }

    /// Responses held back so far.
    public var heldCount: Int { self.held.withLock { $0.count } }

    /// Connections open right now.
    public var openSessions: Int { self.sessions.withLock { $0.count } }

    /// Closes every client connection at once, without unbind (a reset mid-window).
    public func dropConnections() async {
        for session in self.sessions.withLock({ Array($0.values) }) {
            try? await session.close()
        }
    }

    /// Writes raw octets to every client connection (garbage, half PDUs…).
    public func sendRaw(_ bytes: [UInt8]) async {
        for session in self.sessions.withLock({ Array($0.values) }) {
            // Below the session handler, which only takes SessionOutbound.
            try? await session.eventLoop.submit {
                let context = try session.pipeline.syncOperations.context(handlerType: ByteToMessageHandler<SMPPMessageDecoder>.self)
                context.writeAndFlush(NIOAny(session.allocator.buffer(bytes: bytes)), promise: nil)
            }.get()
        }
    }

    /// Sends a deliver_sm (an MO, or a receipt) on every bound session; returns the responses.
    public func deliver(_ message: DeliverSM) async throws -> [SMPPPacket] {
        var responses: [SMPPPacket] = []
        for session in self.sessions.withLock({ Array($0.values) }) {
            let promise = session.eventLoop.makePromise(of: SMPPPacket.self)
            session.writeAndFlush(SessionOutbound.request(.deliverSM(message), promise), promise: nil)
            responses.append(try await promise.futureResult.get())
        }
        return responses
    }

    /// Unbinds every session from the SMSC side.
    public func unbindAll() async {
        for session in self.sessions.withLock({ Array($0.values) }) {
            session.writeAndFlush(SessionOutbound.unbind, promise: nil)
        }
    }

    func update(_ body: (inout Record) -> Void) { self.record.withLock { body(&$0) } }
    var submittedCount: Int { self.record.withLock { $0.submitted.count } }

    /// Lets child handlers reach the FakeSMSC created after the server channel.
    final class Box: Sendable {
        let smsc = Mutex<FakeSMSC?>(nil)
        let nextMessageID = Atomic<Int>(0)
    }
}

final class FakeSMSCHandler: ChannelInboundHandler {
    typealias InboundIn = SessionInbound
    typealias OutboundOut = SessionOutbound

    let configuration: FakeSMSC.Configuration
    let box: FakeSMSC.Box

    init(configuration: FakeSMSC.Configuration, box: FakeSMSC.Box) {
        self.configuration = configuration
        self.box = box
    }

    func channelActive(context: ChannelHandlerContext) {
        let smsc = self.box.smsc.withLock { $0 }
        smsc?.update { $0.connections += 1 }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let smsc = self.box.smsc.withLock { $0 }
        _ = smsc?.sessions.withLock { $0.removeValue(forKey: ObjectIdentifier(context.channel)) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let smsc = self.box.smsc.withLock { $0 }
        switch self.unwrapInboundIn(data) {
        case .authenticate(_, let bind, let sequence):
            guard let password = self.configuration.accounts[bind.systemID] else {
                context.writeAndFlush(self.wrapOutboundOut(.rejectBind(sequenceNumber: sequence, status: .invalidSystemID)), promise: nil)
                return
            }
            guard password == bind.password else {
                context.writeAndFlush(self.wrapOutboundOut(.rejectBind(sequenceNumber: sequence, status: .invalidPassword)), promise: nil)
                return
            }
            smsc?.update { $0.binds.append(bind.systemID) }
            context.writeAndFlush(self.wrapOutboundOut(.acceptBind(sequenceNumber: sequence, systemID: self.configuration.systemID)), promise: nil)
        case .bound:
            let channel = context.channel
            smsc?.sessions.withLock { $0[ObjectIdentifier(channel)] = channel }
        case .request(let packet):
            guard case .submitSM(let submit) = packet.pdu else {
                let reply = SMPPPacket.response(to: packet.commandID, sequenceNumber: packet.sequenceNumber, status: .ok)
                context.writeAndFlush(self.wrapOutboundOut(.response(reply)), promise: nil)
                return
            }
            if self.configuration.silentDestinations.contains(submit.destination.address) { return }
            var throttle = false
            smsc?.update { record in
                if record.throttled < self.configuration.throttleFirst {
                    record.throttled += 1
                    throttle = true
                } else {
                    record.submitted.append(submit)
                }
            }
            if throttle {
                let reply = SMPPPacket(sequenceNumber: packet.sequenceNumber, status: .throttled, pdu: .submitSMResp(MessageIDResponse()))
                context.writeAndFlush(self.wrapOutboundOut(.response(reply)), promise: nil)
                return
            }
            let number = self.box.nextMessageID.add(1, ordering: .relaxed).newValue + 0xB8BE00  // hex ids with letters, like most SMSCs that answer in hex
            let messageID = String(number, radix: 16)
            smsc?.update { $0.messageIDs.append(messageID) }
            let response = SMPPPacket(sequenceNumber: packet.sequenceNumber, pdu: .submitSMResp(MessageIDResponse(messageID: messageID)))
            if self.configuration.heldDestinations.contains(submit.destination.address) {
                let channel = context.channel
                smsc?.held.withLock { $0.append((channel, response, nil)) }
                return
            }
            if let after = self.configuration.holdAfter, (smsc?.submittedCount ?? 0) > after {
                let channel = context.channel
                smsc?.held.withLock { $0.append((channel, response, self.receipt(for: submit, number: number, messageID: messageID))) }
                return
            }
            if self.configuration.lateDestinations.contains(submit.destination.address) {
                let channel = context.channel
                let nanoseconds = self.configuration.lateBy.components.seconds * 1_000_000_000
                    + self.configuration.lateBy.components.attoseconds / 1_000_000_000
                context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                    channel.writeAndFlush(SessionOutbound.response(response), promise: nil)
                }
                return
            }
            if !self.configuration.receiptBeforeResponse { context.write(self.wrapOutboundOut(.response(response)), promise: nil) }
            if let receipt = self.receipt(for: submit, number: number, messageID: messageID) {
                let acknowledged = context.eventLoop.makePromise(of: SMPPPacket.self)
                acknowledged.futureResult.whenSuccess { _ in smsc?.update { $0.receiptsAcknowledged += 1 } }
                context.write(self.wrapOutboundOut(.request(.deliverSM(receipt), acknowledged)), promise: nil)
            }
            if self.configuration.receiptBeforeResponse { context.write(self.wrapOutboundOut(.response(response)), promise: nil) }
            context.flush()
        }
    }

    /// The receipt the fake sends for `submit` (nil when it sends none).
    func receipt(for submit: SubmitSM, number: Int, messageID: String) -> DeliverSM? {
        guard self.configuration.sendReceipts, submit.registeredDelivery.wantsReceipt(delivered: true) else { return nil }
        let receiptID = self.configuration.decimalReceiptIDs ? decimalReceiptID(number) : messageID
        var receipt = DeliverSM(
            source: submit.destination, destination: submit.source, esmClass: ESMClass(type: .smscDeliveryReceipt),
            shortMessage: ByteBuffer(string: DeliveryReceipt(id: receiptID, state: .delivered, submitDate: nil, doneDate: nil).formatted))
        if !self.configuration.decimalReceiptIDs {
            receipt.tlvs.receiptedMessageID = messageID
            receipt.tlvs.messageState = .delivered
        }
        return receipt
    }
}

/// `value` in decimal, zero-padded to 10 digits as Appendix B shows receipt ids.
func decimalReceiptID(_ value: Int) -> String {
    let digits = "\(value)"
    return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
}
