public import NIOCore
public import NIOPosix
public import SMPPCore
import SMPPSession
import Synchronization

/// A small SMSC for tests, on 127.0.0.1 and an ephemeral port: accepts binds with the configured
/// credentials, answers submit_sm with sequential message ids, and sends a delivery receipt as
/// deliver_sm when one is asked for. Real sockets, real codec, real session rules.
public final class FakeSMSC: Sendable {
    public struct Configuration: Sendable {
        /// system_id → password.
        public var accounts: [String: String]
        public var systemID: String
        public var sendReceipts: Bool

        public init(accounts: [String: String] = ["test": "secret"], systemID: String = "fake-smsc", sendReceipts: Bool = true) {
            self.accounts = accounts
            self.systemID = systemID
            self.sendReceipts = sendReceipts
        }
    }

    /// What the fake has seen, for assertions.
    public struct Record: Sendable {
        public var binds: [String] = []
        public var submitted: [SubmitSM] = []
        public var receiptsAcknowledged = 0
    }

    public let port: Int
    private let channel: any Channel
    private let record: Mutex<Record>

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.record = Mutex(Record())
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
        try await self.channel.close()
    }

    func update(_ body: (inout Record) -> Void) { self.record.withLock { body(&$0) } }

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
            break
        case .request(let packet):
            guard case .submitSM(let submit) = packet.pdu else {
                let reply = SMPPPacket.response(to: packet.commandID, sequenceNumber: packet.sequenceNumber, status: .ok)
                context.writeAndFlush(self.wrapOutboundOut(.response(reply)), promise: nil)
                return
            }
            smsc?.update { $0.submitted.append(submit) }
            let number = self.box.nextMessageID.add(1, ordering: .relaxed).newValue
            let messageID = String(number, radix: 16)
            let response = SMPPPacket(sequenceNumber: packet.sequenceNumber, pdu: .submitSMResp(MessageIDResponse(messageID: messageID)))
            context.write(self.wrapOutboundOut(.response(response)), promise: nil)
            if self.configuration.sendReceipts, submit.registeredDelivery.wantsReceipt(delivered: true) {
                var receipt = DeliverSM(
                    source: submit.destination, destination: submit.source, esmClass: ESMClass(type: .smscDeliveryReceipt),
                    shortMessage: ByteBuffer(string: DeliveryReceipt(id: messageID, state: .delivered, submitDate: nil, doneDate: nil).formatted))
                receipt.tlvs.receiptedMessageID = messageID
                receipt.tlvs.messageState = .delivered
                let acknowledged = context.eventLoop.makePromise(of: SMPPPacket.self)
                acknowledged.futureResult.whenSuccess { _ in smsc?.update { $0.receiptsAcknowledged += 1 } }
                context.write(self.wrapOutboundOut(.request(.deliverSM(receipt), acknowledged)), promise: nil)
            }
            context.flush()
        }
    }
}
