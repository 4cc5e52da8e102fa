import NIOCore
import NIOEmbedded
import SMPPCore
import SMPPSession
import Testing

/// A session handler on an EmbeddedChannel with the real codec handlers in front of it.
struct Harness {
    let channel: EmbeddedChannel
    var loop: EmbeddedEventLoop { self.channel.embeddedEventLoop }

    init(_ configuration: SessionConfiguration) throws {
        self.channel = EmbeddedChannel()
        try self.channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(SMPPMessageDecoder()),
            SMPPSessionHandler(configuration: configuration),
        ])
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2775)).wait()
    }

    /// Feeds the peer's PDUs, all in one read.
    func peer(_ packets: SMPPPacket...) throws {
        var bytes = ByteBuffer()
        for packet in packets { try packet.encode(into: &bytes) }
        try self.channel.writeInbound(bytes)
    }

    /// Everything the session wrote, decoded.
    func sent() throws -> [SMPPPacket] {
        var stream = ByteBuffer()
        while let chunk = try self.channel.readOutbound(as: ByteBuffer.self) { stream.writeImmutableBuffer(chunk) }
        var packets: [SMPPPacket] = []
        while let frame = try SMPPFraming().nextFrame(from: &stream) { packets.append(try SMPPPacket.decode(frame: frame)) }
        return packets
    }

    func received() throws -> [String] {
        var events: [String] = []
        while let event = try self.channel.readInbound(as: SessionInbound.self) {
            switch event {
            case .request(let packet): events.append("request \(packet.commandID.name) seq=\(packet.sequenceNumber)")
            case .authenticate(let type, let bind, let sequence): events.append("authenticate \(type) \(bind.systemID) seq=\(sequence)")
            case .bound(let type): events.append("bound \(type)")
            }
        }
        return events
    }

    func promise() -> EventLoopPromise<SMPPPacket> { self.loop.makePromise() }
}

func outcome(_ future: EventLoopFuture<SMPPPacket>) -> String {
    nonisolated(unsafe) var result = "pending"  // EmbeddedEventLoop: callbacks run inline, on this thread
    future.assumeIsolated().whenComplete {
        switch $0 {
        case .success(let packet): result = "\(packet.commandID.name) \(packet.status.name)"
        case .failure(let error): result = "failed: \(error)"
        }
    }
    return result
}

let mo = PDU.deliverSM(DeliverSM(source: .international("447700900123"), destination: .international("12345"), shortMessage: ByteBuffer(string: "hi")))
let submitPDU = PDU.submitSM(SubmitSM(source: .alphanumeric("ACME"), destination: .international("447700900123"), shortMessage: ByteBuffer(string: "hello")))

@Suite("Session handler on an EmbeddedChannel")
struct SMPPSessionHandlerTests {
    @Test("an ESME binds; a bind_resp coalesced with the first deliver_sm in one read loses nothing")
    func coalescedBindResp() throws {
        let h = try Harness(SessionConfiguration(role: .esme))
        let bound = h.promise()
        try h.channel.writeOutbound(SessionOutbound.bind(.transceiver, Bind(systemID: "acme", password: "secret"), bound))
        #expect(try h.sent().map(\.commandID) == [.bindTransceiver])
        try h.peer(
            SMPPPacket(sequenceNumber: 1, pdu: .bindTransceiverResp(BindResp(systemID: "smsc"))),
            SMPPPacket(sequenceNumber: 500, pdu: mo))
        #expect(outcome(bound.futureResult) == "bind_transceiver_resp ESME_ROK")
        #expect(try h.received() == ["bound TRX", "request deliver_sm seq=500"])
        try h.channel.writeOutbound(SessionOutbound.response(SMPPPacket(sequenceNumber: 500, pdu: .deliverSMResp(MessageIDResponse()))))
        #expect(try h.sent().map { "\($0.commandID.name) \($0.sequenceNumber)" } == ["deliver_sm_resp 500"])
    }

    @Test("requests complete out of order; a silent request times out on the loop's clock")
    func requests() throws {
        let h = try Harness(SessionConfiguration(role: .esme, responseTimeout: .seconds(10), enquireLinkInterval: nil, inactivityTimeout: nil))
        try h.channel.writeOutbound(SessionOutbound.bind(.transmitter, Bind(systemID: "acme", password: "secret"), h.promise()))
        try h.peer(SMPPPacket(sequenceNumber: 1, pdu: .bindTransmitterResp(BindResp())))
        _ = try h.sent()
        let first = h.promise(), second = h.promise(), third = h.promise()
        for promise in [first, second, third] { try h.channel.writeOutbound(SessionOutbound.request(submitPDU, promise)) }
        #expect(try h.sent().map(\.sequenceNumber) == [2, 3, 4])
        try h.peer(
            SMPPPacket(sequenceNumber: 4, pdu: .submitSMResp(MessageIDResponse(messageID: "c"))),
            SMPPPacket(sequenceNumber: 2, status: .throttled, pdu: .submitSMResp(MessageIDResponse())))
        #expect(outcome(first.futureResult) == "submit_sm_resp ESME_RTHROTTLED")
        #expect(outcome(second.futureResult) == "pending")
        #expect(outcome(third.futureResult) == "submit_sm_resp ESME_ROK")
        h.loop.advanceTime(by: .seconds(10))
        #expect(outcome(second.futureResult) == "failed: no response within the timeout")
    }

    @Test("the peer's enquire_link is answered; silence sends one; no answer closes and fails what is pending")
    func keepAlive() throws {
        let h = try Harness(SessionConfiguration(role: .esme, responseTimeout: .seconds(5), enquireLinkInterval: .seconds(30)))
        try h.channel.writeOutbound(SessionOutbound.bind(.transceiver, Bind(systemID: "acme", password: "secret"), h.promise()))
        try h.peer(SMPPPacket(sequenceNumber: 1, pdu: .bindTransceiverResp(BindResp())))
        _ = try h.sent()
        try h.peer(SMPPPacket(sequenceNumber: 77, pdu: .enquireLink))
        #expect(try h.sent().map { "\($0.commandID.name) \($0.sequenceNumber)" } == ["enquire_link_resp 77"])
        h.loop.advanceTime(by: .seconds(30))
        #expect(try h.sent().map(\.commandID) == [.enquireLink])
        let pending = h.promise()
        try h.channel.writeOutbound(SessionOutbound.request(submitPDU, pending))
        h.loop.advanceTime(by: .seconds(5))
        #expect(!h.channel.isActive)
        // Both expire at t=35: the unanswered enquire_link closes the session, the submit times out.
        #expect(outcome(pending.futureResult) == "failed: no response within the timeout")
    }

    @Test("a framing failure is answered with generic_nack ESME_RINVCMDLEN and the channel closes")
    func framingFailure() throws {
        let h = try Harness(SessionConfiguration(role: .smsc))
        #expect(throws: SMPPDecodingError.self) { try h.channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 0x0C, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 7])) }
        #expect(try h.sent().map { "\($0.commandID.name) \($0.status.name) \($0.sequenceNumber)" } == ["generic_nack ESME_RINVCMDLEN 7"])
        #expect(!h.channel.isActive)
    }

    @Test("an SMSC: bind → authenticate → accept; submit_sm delivered; no bind in time closes")
    func smsc() throws {
        let h = try Harness(SessionConfiguration(role: .smsc, sessionInitTimeout: .seconds(10)))
        try h.peer(SMPPPacket(sequenceNumber: 1, pdu: .bindTransceiver(Bind(systemID: "acme", password: "secret"))))
        #expect(try h.received() == ["authenticate TRX acme seq=1"])
        try h.channel.writeOutbound(SessionOutbound.acceptBind(sequenceNumber: 1, systemID: "shortwave"))
        let response = try #require(try h.sent().first)
        #expect(response.commandID == .bindTransceiverResp && response.status == .ok)
        #expect(try h.received() == ["bound TRX"])
        try h.peer(SMPPPacket(sequenceNumber: 2, pdu: submitPDU))
        #expect(try h.received() == ["request submit_sm seq=2"])
        h.loop.advanceTime(by: .seconds(10))
        #expect(h.channel.isActive)  // bound: the session-init timer was cancelled

        let idle = try Harness(SessionConfiguration(role: .smsc, sessionInitTimeout: .seconds(10)))
        idle.loop.advanceTime(by: .seconds(10))
        #expect(!idle.channel.isActive)
    }

    @Test("a request that breaks a field limit fails at once and frees its window slot")
    func unencodable() throws {
        let h = try Harness(SessionConfiguration(role: .esme, windowSize: 1))
        try h.channel.writeOutbound(SessionOutbound.bind(.transmitter, Bind(systemID: "acme", password: "secret"), h.promise()))
        try h.peer(SMPPPacket(sequenceNumber: 1, pdu: .bindTransmitterResp(BindResp())))
        _ = try h.sent()
        let tooLong = PDU.submitSM(SubmitSM(source: .international(String(repeating: "4", count: 21)), destination: .international("447700900123")))
        let failed = h.promise()
        try h.channel.writeOutbound(SessionOutbound.request(tooLong, failed))
        #expect(outcome(failed.futureResult) == "failed: not sent: source_addr is invalid (ESME_RINVSRCADR)")
        #expect(try h.sent().isEmpty)
        let next = h.promise()
        try h.channel.writeOutbound(SessionOutbound.request(submitPDU, next))  // the slot is free again
        #expect(try h.sent().map(\.commandID) == [.submitSM])
        // A response the application cannot encode fails its write.
        let bad = SMPPPacket(sequenceNumber: 9, pdu: .deliverSMResp(MessageIDResponse(messageID: String(repeating: "m", count: 70))))
        #expect(throws: SMPPEncodingError.self) { try h.channel.writeOutbound(SessionOutbound.response(bad)) }
    }

    @Test("a dropped connection fails every pending request")
    func dropped() throws {
        let h = try Harness(SessionConfiguration(role: .esme))
        try h.channel.writeOutbound(SessionOutbound.bind(.transmitter, Bind(systemID: "acme", password: "secret"), h.promise()))
        try h.peer(SMPPPacket(sequenceNumber: 1, pdu: .bindTransmitterResp(BindResp())))
        let pending = h.promise()
        try h.channel.writeOutbound(SessionOutbound.request(submitPDU, pending))
        _ = try h.channel.close().wait()
        #expect(outcome(pending.futureResult) == "failed: session closed")
    }
}
