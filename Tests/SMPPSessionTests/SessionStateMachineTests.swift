import NIOCore
import SMPPCore
import SMPPSession
import Testing

/// A manual clock's instant: seconds since the test began.
struct T: InstantProtocol, CustomStringConvertible {
    var offset: Duration
    init(_ seconds: Int) { self.offset = .seconds(seconds) }
    init(offset: Duration) { self.offset = offset }
    func advanced(by duration: Duration) -> T { T(offset: self.offset + duration) }
    func duration(to other: T) -> Duration { other.offset - self.offset }
    static func < (lhs: T, rhs: T) -> Bool { lhs.offset < rhs.offset }
    var description: String { "\(self.offset.components.seconds)" }
}

typealias Machine = SessionStateMachine<T, String>

/// Actions as short strings, so that each test reads as a script: event → expected actions.
func script(_ actions: [Machine.Action]) -> [String] {
    actions.map { action in
        switch action {
        case .send(let packet):
            "send \(packet.commandID.name) seq=\(packet.sequenceNumber)" + (packet.status.isOK ? "" : " \(packet.status.name)")
        case .complete(let context, .success(let packet)):
            "complete \(context) \(packet.commandID.name) \(packet.status.name)"
        case .complete(let context, .failure(let error)):
            "fail \(context) \(error)"
        case .deliver(let packet): "deliver \(packet.commandID.name) seq=\(packet.sequenceNumber)"
        case .authenticate(let type, let bind, let sequence): "authenticate \(type) \(bind.systemID) seq=\(sequence)"
        case .bound(let type): "bound \(type)"
        case .schedule(let timer, let at): "schedule \(timer) at \(at)"
        case .cancel(let timer): "cancel \(timer)"
        case .close: "close"
        }
    }
}

func inbound(_ seq: UInt32, _ pdu: PDU, _ status: CommandStatus = .ok) -> SMPPInbound {
    .packet(SMPPPacket(sequenceNumber: seq, status: status, pdu: pdu))
}

let credentials = Bind(systemID: "acme", password: "secret")
let submit = PDU.submitSM(SubmitSM(source: .alphanumeric("ACME"), destination: .international("447700900123")))
let closedCancels = ["cancel response", "cancel enquireLink", "cancel inactivity", "cancel sessionInit"]

/// An ESME bound as a transceiver at t=0, with a window of 2.
func boundESME(window: Int = 2) -> Machine {
    var machine = Machine(configuration: SessionConfiguration(role: .esme, windowSize: window), now: T(0))
    _ = machine.connected(now: T(0))
    _ = machine.bind(.transceiver, credentials, context: "bind", now: T(0))
    _ = machine.received(inbound(1, .bindTransceiverResp(BindResp(systemID: "smsc"))), now: T(0))
    return machine
}

@Suite("Session state machine: ESME")
struct ESMEScripts {
    @Test("bind, bind_resp OK, bound with keep-alive timers")
    func bind() {
        var m = Machine(configuration: SessionConfiguration(role: .esme), now: T(0))
        #expect(script(m.connected(now: T(0))) == [])
        #expect(script(m.bind(.transceiver, credentials, context: "bind", now: T(0))) == ["send bind_transceiver seq=1", "schedule response at 30"])
        #expect(script(m.bind(.transceiver, credentials, context: "again", now: T(1))) == ["fail again not allowed in state OPEN"])
        #expect(script(m.received(inbound(1, .bindTransceiverResp(BindResp(systemID: "smsc"))), now: T(2))) == [
            "complete bind bind_transceiver_resp ESME_ROK", "bound TRX", "schedule enquireLink at 32", "schedule inactivity at 302",
            "cancel response",
        ])
        #expect(m.state == .bound(.transceiver))
    }

    @Test("acknowledgesDeliveries: deliver_sm and data_sm are answered by the session, then delivered")
    func acknowledgesDeliveries() {
        var m = Machine(configuration: SessionConfiguration(role: .esme, acknowledgesDeliveries: true), now: T(0))
        _ = m.bind(.receiver, credentials, context: "bind", now: T(0))
        _ = m.received(inbound(1, .bindReceiverResp(BindResp(systemID: "smsc"))), now: T(0))
        let receipt = DeliverSM(source: .international("447700900123"), destination: .alphanumeric("ACME"))
        #expect(script(m.received(inbound(7, .deliverSM(receipt)), now: T(1))) == ["send deliver_sm_resp seq=7", "deliver deliver_sm seq=7"])
        let data = DataSM(source: .international("447700900123"), destination: .alphanumeric("ACME"))
        #expect(script(m.received(inbound(8, .dataSM(data)), now: T(1))) == ["send data_sm_resp seq=8", "deliver data_sm seq=8"])
        // Without it the application answers.
        var plain = boundESME()
        #expect(script(plain.received(inbound(9, .deliverSM(receipt)), now: T(1))) == ["deliver deliver_sm seq=9"])
    }

    @Test("a refused bind leaves the session OPEN to bind again")
    func bindRefused() {
        var m = Machine(configuration: SessionConfiguration(role: .esme), now: T(0))
        _ = m.bind(.transmitter, credentials, context: "bind", now: T(0))
        #expect(script(m.received(inbound(1, .bindTransmitterResp(BindResp()), .invalidPassword), now: T(1))) == [
            "complete bind bind_transmitter_resp ESME_RINVPASWD", "cancel response",
        ])
        #expect(m.state == .open)
        #expect(script(m.bind(.transmitter, credentials, context: "retry", now: T(2))) == ["send bind_transmitter seq=2", "schedule response at 32"])
    }

    @Test("an unanswered bind times out and closes")
    func bindTimeout() {
        var m = Machine(configuration: SessionConfiguration(role: .esme, bindTimeout: .seconds(5)), now: T(0))
        _ = m.bind(.receiver, credentials, context: "bind", now: T(0))
        #expect(script(m.timerFired(.response, now: T(5))) == ["fail bind no response within the timeout", "close"] + closedCancels)
        #expect(m.state == .closed)
    }

    @Test("nothing but bind and enquire_link before binding; nothing to the SMSC on a receiver")
    func notAllowed() {
        var m = Machine(configuration: SessionConfiguration(role: .esme), now: T(0))
        #expect(script(m.send(submit, context: "early", now: T(0))) == ["fail early not allowed in state OPEN"])
        _ = m.bind(.receiver, credentials, context: "bind", now: T(0))
        _ = m.received(inbound(1, .bindReceiverResp(BindResp())), now: T(0))
        #expect(script(m.send(submit, context: "rx", now: T(1))) == ["fail rx not allowed in state BOUND_RX"])
    }

    @Test("a full window refuses; responses complete their own requests in any order")
    func window() {
        var m = boundESME()
        #expect(script(m.send(submit, context: "a", now: T(1))) == ["send submit_sm seq=2", "schedule response at 31"])
        #expect(script(m.send(submit, context: "b", now: T(2))) == ["send submit_sm seq=3"])
        #expect(!m.canSend)
        #expect(script(m.send(submit, context: "c", now: T(3))) == ["fail c window full"])
        #expect(script(m.received(inbound(3, .submitSMResp(MessageIDResponse(messageID: "m3"))), now: T(4))) == ["complete b submit_sm_resp ESME_ROK"])
        let throttled = inbound(2, .submitSMResp(MessageIDResponse()), .throttled)
        #expect(script(m.received(throttled, now: T(5))) == ["complete a submit_sm_resp ESME_RTHROTTLED", "cancel response"])
        #expect(m.outstanding == 0)
    }

    @Test("a late request fails with a timeout, and its late response is ignored")
    func timeout() {
        var m = boundESME()
        _ = m.send(submit, context: "a", now: T(1))
        _ = m.send(submit, context: "b", now: T(10))
        #expect(script(m.timerFired(.response, now: T(31))) == ["fail a no response within the timeout", "schedule response at 40"])
        #expect(script(m.received(inbound(2, .submitSMResp(MessageIDResponse())), now: T(32))) == [])
        #expect(script(m.received(inbound(3, .genericNack, .invalidCommandID), now: T(33))) == ["complete b generic_nack ESME_RINVCMDID", "cancel response"])
    }

    @Test("a response for another command fails the request; a malformed response fails it too")
    func strayResponses() {
        var m = boundESME()
        _ = m.send(submit, context: "a", now: T(1))
        _ = m.send(submit, context: "b", now: T(1))
        #expect(script(m.received(inbound(2, .deliverSMResp(MessageIDResponse())), now: T(2))) == ["fail a peer answered with deliver_sm_resp for this sequence number"])
        let malformed = try! #require(throws: SMPPDecodingError.self) {
            try SMPPPacket.decode(frame: ByteBuffer(bytes: [0, 0, 0, 0x13, 0x80, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 3, 0x41, 0, 0]))
        }
        #expect(script(m.received(.malformed(malformed), now: T(3))) == ["fail b peer's response was malformed (ESME_RINVCMDLEN)", "cancel response"])
    }

    @Test("the SMSC's requests: enquire_link answered here, deliver_sm delivered, submit_sm refused")
    func inboundRequests() {
        var m = boundESME()
        #expect(script(m.received(inbound(70, .enquireLink), now: T(1))) == ["send enquire_link_resp seq=70"])
        let receipt = PDU.deliverSM(DeliverSM(source: .international("447700900123"), destination: .alphanumeric("ACME"), esmClass: ESMClass(type: .smscDeliveryReceipt)))
        #expect(script(m.received(inbound(71, receipt), now: T(2))) == ["deliver deliver_sm seq=71"])
        #expect(script(m.received(inbound(72, submit), now: T(3))) == ["send submit_sm_resp seq=72 ESME_RINVBNDSTS"])
        #expect(script(m.received(inbound(73, .bindTransmitter(credentials)), now: T(4))) == ["send bind_transmitter_resp seq=73 ESME_RINVBNDSTS"])
    }

    @Test("keep-alive: traffic postpones enquire_link; silence sends it; no answer closes")
    func keepAlive() {
        var m = boundESME()
        _ = m.received(inbound(80, .enquireLink), now: T(20))
        #expect(script(m.timerFired(.enquireLink, now: T(30))) == ["schedule enquireLink at 50"])
        #expect(script(m.timerFired(.enquireLink, now: T(50))) == ["schedule enquireLink at 80", "send enquire_link seq=2", "schedule response at 80"])
        _ = m.send(submit, context: "a", now: T(51))
        #expect(script(m.timerFired(.response, now: T(80))) == ["close", "fail a session closed"] + closedCancels)
        #expect(m.state == .closed)
    }

    @Test("inactivity: a quiet session is unbound")
    func inactivity() {
        var m = boundESME()
        _ = m.received(inbound(80, .enquireLink), now: T(100))
        #expect(script(m.timerFired(.inactivity, now: T(300))) == ["schedule inactivity at 400"])
        #expect(script(m.timerFired(.inactivity, now: T(400))) == ["send unbind seq=2", "schedule response at 430"])
    }

    @Test("graceful unbind drains the window first, then unbind → unbind_resp → close")
    func gracefulUnbind() {
        var m = boundESME()
        _ = m.send(submit, context: "a", now: T(1))
        #expect(script(m.unbind(now: T(2))) == [])
        #expect(script(m.send(submit, context: "late", now: T(3))) == ["fail late session closed"])
        #expect(script(m.received(inbound(2, .submitSMResp(MessageIDResponse(messageID: "x"))), now: T(4))) == [
            "complete a submit_sm_resp ESME_ROK", "cancel response", "send unbind seq=3", "schedule response at 34",
        ])
        #expect(m.state == .unbound)
        #expect(script(m.received(inbound(3, .unbindResp), now: T(5))) == ["close"] + closedCancels)
        #expect(m.state == .closed)
    }

    @Test("the peer's unbind is answered; what was pending fails")
    func peerUnbind() {
        var m = boundESME()
        _ = m.send(submit, context: "a", now: T(1))
        #expect(script(m.received(inbound(90, .unbind), now: T(2))) == ["send unbind_resp seq=90", "close", "fail a session closed"] + closedCancels)
    }

    @Test("a lost connection fails every pending request")
    func connectionLost() {
        var m = boundESME()
        _ = m.send(submit, context: "a", now: T(1))
        _ = m.send(submit, context: "b", now: T(1))
        #expect(script(m.closed()) == ["fail a session closed", "fail b session closed"] + closedCancels)
        #expect(script(m.send(submit, context: "c", now: T(2))) == ["fail c session closed"])
    }
}

@Suite("Session state machine: SMSC")
struct SMSCScripts {
    func smsc() -> SessionStateMachine<T, String> {
        SessionStateMachine<T, String>(configuration: SessionConfiguration(role: .smsc, sessionInitTimeout: .seconds(10)), now: T(0))
    }

    @Test("bind → authenticate → accept: bind_resp with sc_interface_version, bound, timers")
    func accept() throws {
        var m = smsc()
        #expect(script(m.connected(now: T(0))) == ["schedule sessionInit at 10"])
        #expect(script(m.received(inbound(1, .bindTransceiver(credentials)), now: T(1))) == ["authenticate TRX acme seq=1"])
        let actions = m.acceptBind(sequenceNumber: 1, systemID: "shortwave", now: T(1))
        #expect(script(actions) == [
            "send bind_transceiver_resp seq=1", "cancel sessionInit", "bound TRX", "schedule enquireLink at 31", "schedule inactivity at 301",
        ])
        guard case .send(let response) = actions[0], case .bindTransceiverResp(let body) = response.pdu else {
            Issue.record("expected a bind response")
            return
        }
        #expect(body.systemID == "shortwave" && body.tlvs.scInterfaceVersion == 0x34)
        #expect(script(m.received(inbound(2, .bindTransceiver(credentials)), now: T(2))) == ["send bind_transceiver_resp seq=2 ESME_RALYBND"])
        #expect(script(m.received(inbound(3, submit), now: T(3))) == ["deliver submit_sm seq=3"])
    }

    @Test("a v3.3 ESME gets no sc_interface_version; a refused bind stays OPEN; no bind in time closes")
    func rejectAndTimeout() throws {
        var m = smsc()
        _ = m.connected(now: T(0))
        _ = m.received(inbound(1, .bindTransmitter(Bind(systemID: "old", password: "pw", interfaceVersion: 0x33))), now: T(1))
        let rejected = m.rejectBind(sequenceNumber: 1, status: .invalidPassword)
        #expect(script(rejected) == ["send bind_transmitter_resp seq=1 ESME_RINVPASWD"])
        guard case .send(let packet) = rejected[0] else { return }
        #expect(try packet.encoded().readableBytes == 16)
        #expect(m.state == .open)
        #expect(script(m.timerFired(.sessionInit, now: T(10))) == ["close"] + closedCancels)

        var v33 = smsc()
        _ = v33.received(inbound(1, .bindTransmitter(Bind(systemID: "old", password: "pw", interfaceVersion: 0x33))), now: T(1))
        guard case .send(let response) = v33.acceptBind(sequenceNumber: 1, systemID: "sw", now: T(1))[0],
            case .bindTransmitterResp(let body) = response.pdu
        else { return }
        #expect(body.tlvs.isEmpty)
    }

    @Test("before a bind only enquire_link is answered; a malformed request gets its error response")
    func openState() throws {
        var m = smsc()
        #expect(script(m.received(inbound(5, submit), now: T(1))) == ["send submit_sm_resp seq=5 ESME_RINVBNDSTS"])
        #expect(script(m.received(inbound(6, .enquireLink), now: T(1))) == ["send enquire_link_resp seq=6"])
        let tooLong = try #require(throws: SMPPDecodingError.self) {
            try SMPPPacket.decode(frame: ByteBuffer(bytes: [0, 0, 0, 0x1A, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7] + Array("ABCDEFGHIJKLMNOPQ".utf8) + [0]))
        }
        #expect(script(m.received(.malformed(tooLong), now: T(2))).first == "send generic_nack seq=7 ESME_RINVCMDLEN")
    }

    @Test("the SMSC delivers to a receiver and gets the response back")
    func deliver() {
        var m = smsc()
        _ = m.received(inbound(1, .bindReceiver(credentials)), now: T(0))
        _ = m.acceptBind(sequenceNumber: 1, systemID: "sw", now: T(0))
        let mo = PDU.deliverSM(DeliverSM(source: .international("447700900123"), destination: .international("12345")))
        #expect(script(m.send(mo, context: "mo", now: T(1))) == ["send deliver_sm seq=1", "schedule response at 31"])
        #expect(script(m.send(submit, context: "wrong-way", now: T(1))) == ["fail wrong-way not allowed in state BOUND_RX"])
        #expect(script(m.received(inbound(1, .deliverSMResp(MessageIDResponse())), now: T(2))) == ["complete mo deliver_sm_resp ESME_ROK", "cancel response"])
    }
}
