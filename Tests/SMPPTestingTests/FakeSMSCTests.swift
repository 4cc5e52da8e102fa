import NIOCore
import NIOPosix
import SMPPCore
import SMPPSession
import SMPPTesting
import Synchronization
import Testing

/// Collects what an ESME session passes up, and answers deliver_sm.
final class ESMECollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = SessionInbound
    typealias OutboundOut = SessionOutbound
    let receipts = Mutex<[DeliverSM]>([])

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .request(let packet) = self.unwrapInboundIn(data), case .deliverSM(let deliver) = packet.pdu else { return }
        self.receipts.withLock { $0.append(deliver) }
        let response = SMPPPacket(sequenceNumber: packet.sequenceNumber, pdu: .deliverSMResp(MessageIDResponse()))
        context.writeAndFlush(self.wrapOutboundOut(.response(response)), promise: nil)
    }
}

func connectESME(port: Int, collector: ESMECollector) async throws -> any Channel {
    try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers([
                    ByteToMessageHandler(SMPPMessageDecoder()),
                    SMPPSessionHandler(configuration: SessionConfiguration(role: .esme)), collector,
                ])
            }
        }
        .connect(host: "127.0.0.1", port: port).get()
}

func call(_ channel: any Channel, _ make: (EventLoopPromise<SMPPPacket>) -> SessionOutbound) async throws -> SMPPPacket {
    let promise = channel.eventLoop.makePromise(of: SMPPPacket.self)
    channel.writeAndFlush(make(promise), promise: nil)
    return try await promise.futureResult.get()
}

@Suite("Both session roles over a real loopback socket (FakeSMSC)")
struct FakeSMSCTests {
    @Test("bind, submit with a receipt request, the receipt arrives and is acknowledged, unbind")
    func endToEnd() async throws {
        let smsc = try await FakeSMSC.start()
        let collector = ESMECollector()
        let channel = try await connectESME(port: smsc.port, collector: collector)
        let bound = try await call(channel) { .bind(.transceiver, Bind(systemID: "test", password: "secret"), $0) }
        #expect(bound.status == .ok)
        guard case .bindTransceiverResp(let bindResp) = bound.pdu else {
            Issue.record("expected bind_transceiver_resp")
            return
        }
        #expect(bindResp.systemID == "fake-smsc" && bindResp.tlvs.scInterfaceVersion == 0x34)

        let submit = SubmitSM(
            source: .alphanumeric("ACME"), destination: .international("447700900123"), registeredDelivery: .receipt,
            shortMessage: ByteBuffer(string: "hello"))
        let response = try await call(channel) { .request(.submitSM(submit), $0) }
        guard case .submitSMResp(let accepted) = response.pdu else {
            Issue.record("expected submit_sm_resp")
            return
        }
        #expect(response.status == .ok && !accepted.messageID.isEmpty)

        // The receipt is delivered to the ESME, which answers it; the SMSC sees the answer.
        for _ in 0..<200 where smsc.seen.receiptsAcknowledged == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(smsc.seen.receiptsAcknowledged == 1)
        let receipt = try #require(collector.receipts.withLock { $0.first })
        #expect(receipt.isReceipt && receipt.tlvs.receiptedMessageID == accepted.messageID)
        #expect(DeliveryReceipt.parse(String(buffer: receipt.shortMessage))?.state == .delivered)
        #expect(smsc.seen.submitted.count == 1 && smsc.seen.binds == ["test"])

        channel.writeAndFlush(SessionOutbound.unbind, promise: nil)
        try await channel.closeFuture.get()  // unbind → unbind_resp → close
        try await smsc.stop()
    }

    @Test("a wrong password is refused with ESME_RINVPASWD and the session stays usable for another bind")
    func refused() async throws {
        let smsc = try await FakeSMSC.start()
        let channel = try await connectESME(port: smsc.port, collector: ESMECollector())
        let refused = try await call(channel) { .bind(.transmitter, Bind(systemID: "test", password: "wrong"), $0) }
        #expect(refused.status == .invalidPassword)
        let unknown = try await call(channel) { .bind(.transmitter, Bind(systemID: "nobody", password: "x"), $0) }
        #expect(unknown.status == .invalidSystemID)
        let accepted = try await call(channel) { .bind(.transmitter, Bind(systemID: "test", password: "secret"), $0) }
        #expect(accepted.status == .ok)
        try await channel.close()
        try await smsc.stop()
    }
}
