import NIOCore
import SMPPCore
import Testing

/// Generates random, valid PDUs of every type (within every field limit).
struct PDUGenerator {
    var rng: SplitMix64

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self.rng) }
    mutating func u8(_ range: ClosedRange<UInt8> = 0...255) -> UInt8 { UInt8.random(in: range, using: &self.rng) }
    mutating func bool() -> Bool { Bool.random(using: &self.rng) }

    /// A C-Octet String of at most `max` characters, sometimes with Latin-1 characters.
    mutating func string(max: Int) -> String {
        let length = self.int(0...max)
        let latin = self.int(0...9) == 0
        return String(String.UnicodeScalarView((0..<length).map { _ in
            Unicode.Scalar(latin ? self.u8(0x20...0xFF) : self.u8(0x21...0x7E))
        }))
    }

    mutating func bytes(max: Int) -> ByteBuffer {
        ByteBuffer(bytes: (0..<self.int(0...max)).map { _ in self.u8() })
    }

    mutating func address(max: Int) -> SMPPAddress {
        SMPPAddress(ton: TypeOfNumber(rawValue: self.u8(0...6)), npi: NumberingPlan(rawValue: self.u8(0...18)), self.string(max: max))
    }

    mutating func time() -> SMPPTime? {
        switch self.int(0...2) {
        case 0: return nil
        case 1:
            return .relative(SMPPTime.RelativeTime(years: self.int(0...99), months: self.int(0...99), days: self.int(0...99), hours: self.int(0...23), minutes: self.int(0...59), seconds: self.int(0...59)))
        default:
            return .absolute(SMPPTime.AbsoluteTime(
                year: 2000 + self.int(0...37), month: self.int(1...12), day: self.int(1...28), hour: self.int(0...23),
                minute: self.int(0...59), second: self.int(0...59), tenths: self.int(0...9), utcOffsetQuarterHours: self.int(-48...48)))
        }
    }

    mutating func tlvs() -> TLVList {
        var list = TLVList()
        for _ in 0..<self.int(0...4) {
            switch self.int(0...5) {
            case 0: list.append(TLV(tag: .messagePayload, value: self.bytes(max: 600)))
            case 1: list.append(TLV(tag: .sarMsgRefNum, value: ByteBuffer(integer: UInt16(self.int(0...65535)))))
            case 2: list.append(TLV(tag: .messageState, value: ByteBuffer(integer: self.u8(0...9))))
            case 3: list.append(TLV(tag: TLVTag(UInt16(self.int(0x1400...0x3FFF))), value: self.bytes(max: 40)))
            case 4: list.append(TLV(tag: .receiptedMessageID, value: ByteBuffer(string: self.string(max: 20) + "\0")))
            default: list.append(TLV(tag: .networkErrorCode, value: self.bytes(max: 0).writerIndex == 0 ? ByteBuffer(bytes: [3, 0, self.u8()]) : ByteBuffer()))
            }
        }
        return list
    }

    mutating func submit() -> SubmitSM {
        SubmitSM(
            serviceType: self.string(max: 5), source: self.address(max: 20), destination: self.address(max: 20),
            esmClass: ESMClass(rawValue: self.u8()), protocolID: self.u8(), priorityFlag: Priority(rawValue: self.u8(0...3)),
            scheduleDeliveryTime: self.time(), validityPeriod: self.time(), registeredDelivery: RegisteredDelivery(rawValue: self.u8()),
            replaceIfPresentFlag: self.u8(0...1), dataCoding: DataCoding(rawValue: self.u8()), smDefaultMsgID: self.u8(0...254),
            shortMessage: self.bytes(max: 254), tlvs: self.tlvs())
    }

    mutating func bind() -> Bind {
        Bind(systemID: self.string(max: 15), password: self.string(max: 8), systemType: self.string(max: 12), interfaceVersion: self.u8(), addressRange: self.address(max: 40))
    }

    mutating func packet() -> SMPPPacket {
        let pdu: PDU
        switch self.int(0...26) {
        case 0: pdu = .genericNack
        case 1: pdu = .bindReceiver(self.bind())
        case 2: pdu = .bindTransmitter(self.bind())
        case 3: pdu = .bindTransceiver(self.bind())
        case 4: pdu = .bindReceiverResp(BindResp(systemID: self.string(max: 15), tlvs: self.bool() ? [TLV(tag: .scInterfaceVersion, value: ByteBuffer(integer: UInt8(0x34)))] : []))
        case 5: pdu = .bindTransmitterResp(BindResp(systemID: self.string(max: 15)))
        case 6: pdu = .bindTransceiverResp(BindResp(systemID: self.string(max: 15)))
        case 7: pdu = .outbind(Outbind(systemID: self.string(max: 15), password: self.string(max: 8)))
        case 8: pdu = .unbind
        case 9: pdu = .unbindResp
        case 10: pdu = .enquireLink
        case 11: pdu = .enquireLinkResp
        case 12: pdu = .submitSM(self.submit())
        case 13: pdu = .deliverSM(self.submit())
        case 14: pdu = .submitSMResp(MessageIDResponse(messageID: self.string(max: 64)))
        case 15: pdu = .deliverSMResp(MessageIDResponse(messageID: self.string(max: 64)))
        case 16:
            let s = self.submit()
            let destinations: [SubmitMulti.Destination] = (0..<self.int(1...10)).map { _ in
                self.bool() ? .address(self.address(max: 20)) : .distributionList(self.string(max: 20))
            }
            pdu = .submitMulti(SubmitMulti(
                serviceType: s.serviceType, source: s.source, destinations: destinations, esmClass: s.esmClass, protocolID: s.protocolID,
                priorityFlag: s.priorityFlag, scheduleDeliveryTime: s.scheduleDeliveryTime, validityPeriod: s.validityPeriod,
                registeredDelivery: s.registeredDelivery, replaceIfPresentFlag: s.replaceIfPresentFlag, dataCoding: s.dataCoding,
                smDefaultMsgID: s.smDefaultMsgID, shortMessage: s.shortMessage, tlvs: s.tlvs))
        case 17:
            pdu = .submitMultiResp(SubmitMultiResp(messageID: self.string(max: 64), unsuccessful: (0..<self.int(0...5)).map { _ in
                SubmitMultiResp.Failure(destination: self.address(max: 20), status: CommandStatus(rawValue: UInt32(self.int(0...0x4FF))))
            }))
        case 18:
            pdu = .dataSM(DataSM(
                serviceType: self.string(max: 5), source: self.address(max: 64), destination: self.address(max: 64),
                esmClass: ESMClass(rawValue: self.u8()), registeredDelivery: RegisteredDelivery(rawValue: self.u8()),
                dataCoding: DataCoding(rawValue: self.u8()), tlvs: self.tlvs()))
        case 19: pdu = .dataSMResp(DataSMResp(messageID: self.string(max: 64), tlvs: self.tlvs()))
        case 20: pdu = .querySM(QuerySM(messageID: self.string(max: 64), source: self.address(max: 20)))
        case 21:
            pdu = .querySMResp(QuerySMResp(messageID: self.string(max: 64), finalDate: self.time(), messageState: MessageState(rawValue: self.u8(0...9)), errorCode: self.u8()))
        case 22: pdu = .cancelSM(CancelSM(serviceType: self.string(max: 5), messageID: self.string(max: 64), source: self.address(max: 20), destination: self.address(max: 20)))
        case 23: pdu = .cancelSMResp
        case 24:
            pdu = .replaceSM(ReplaceSM(
                messageID: self.string(max: 64), source: self.address(max: 20), scheduleDeliveryTime: self.time(), validityPeriod: self.time(),
                registeredDelivery: RegisteredDelivery(rawValue: self.u8()), smDefaultMsgID: self.u8(0...254), shortMessage: self.bytes(max: 254)))
        case 25: pdu = .replaceSMResp
        default: pdu = .alertNotification(AlertNotification(source: self.address(max: 64), esmeAddress: self.address(max: 64), tlvs: self.tlvs()))
        }
        return SMPPPacket(sequenceNumber: UInt32(self.int(1...0x7FFF_FFFF)), status: .ok, pdu: pdu)
    }
}

@Suite("Round trips over generated PDUs")
struct RoundTripTests {
    @Test("decode(encode(x)) == x for 20,000 generated PDUs of every type")
    func roundTrip() throws {
        var generator = PDUGenerator(rng: SplitMix64(seed: 0x5EED))
        var seen = Set<UInt32>()
        for _ in 0..<20_000 {
            let packet = generator.packet()
            seen.insert(packet.commandID.rawValue)
            let bytes = try packet.encoded()
            #expect(bytes.getInteger(at: 0, as: UInt32.self) == UInt32(bytes.readableBytes))
            let decoded = try SMPPPacket.decode(frame: bytes)
            #expect(decoded == packet)
            // And the octets are stable: encode(decode(bytes)) == bytes.
            #expect(try decoded.encoded() == bytes)
        }
        #expect(seen.count == 27)
    }

    @Test("a generated stream of PDUs frames and decodes back in order")
    func stream() throws {
        var generator = PDUGenerator(rng: SplitMix64(seed: 77))
        let packets = (0..<500).map { _ in generator.packet() }
        var stream = ByteBuffer()
        for packet in packets { try packet.encode(into: &stream) }
        var decoded: [SMPPPacket] = []
        while let frame = try SMPPFraming().nextFrame(from: &stream) { decoded.append(try SMPPPacket.decode(frame: frame)) }
        #expect(decoded == packets)
    }

    @Test("error responses encode without a body and decode back")
    func errorResponses() throws {
        let throttled = SMPPPacket(sequenceNumber: 5, status: .throttled, pdu: .submitSMResp(MessageIDResponse(messageID: "ignored")))
        #expect(try throttled.encoded().hex == "00000010800000040000005800000005")
        let decoded = try SMPPPacket.decode(frame: throttled.encoded())
        #expect(decoded.status == .throttled)
        #expect(decoded.pdu == .submitSMResp(MessageIDResponse()))
        // A 16-octet deliver_sm_resp (sent by many ESMEs) is accepted.
        #expect(try SMPPPacket.decode(frame: ByteBuffer(hex: "00000010800000050000000000000009")).pdu == .deliverSMResp(MessageIDResponse()))
    }

    @Test("descriptions never print a password")
    func redaction() {
        let bind = SMPPPacket(sequenceNumber: 1, pdu: .bindTransceiver(Bind(systemID: "acme", password: "s3cr3t")))
        #expect(!bind.description.contains("s3cr3t"))
        #expect(bind.description.contains("********"))
        #expect(!"\(Outbind(systemID: "smsc", password: "hunter2"))".contains("hunter2"))
    }

    @Test("encoding refuses every field beyond its limit with the field's status")
    func encodeLimits() {
        func status(_ pdu: PDU) -> CommandStatus? {
            do {
                _ = try SMPPPacket(sequenceNumber: 1, pdu: pdu).encoded()
                return nil
            } catch {
                return error.status
            }
        }
        let a = SMPPAddress.international("447700900123")
        #expect(status(.bindTransmitter(Bind(systemID: String(repeating: "s", count: 16), password: ""))) == .invalidSystemID)
        #expect(status(.bindTransmitter(Bind(systemID: "s", password: "123456789"))) == .invalidPassword)
        #expect(status(.bindTransmitter(Bind(systemID: "s", password: "p", systemType: String(repeating: "t", count: 13)))) == .invalidSystemType)
        #expect(status(.submitSM(SubmitSM(serviceType: "SIXSIX", source: a, destination: a))) == .invalidServiceType)
        #expect(status(.submitSM(SubmitSM(source: .international(String(repeating: "1", count: 21)), destination: a))) == .invalidSourceAddress)
        #expect(status(.submitSM(SubmitSM(source: a, destination: .international(String(repeating: "1", count: 21))))) == .invalidDestinationAddress)
        #expect(status(.submitSM(SubmitSM(source: a, destination: a, shortMessage: ByteBuffer(repeating: 0x41, count: 255)))) == .invalidMessageLength)
        #expect(status(.submitSM(SubmitSM(source: a, destination: a, priorityFlag: Priority(rawValue: 4)))) == .invalidPriorityFlag)
        #expect(status(.submitSM(SubmitSM(source: a, destination: a, replaceIfPresentFlag: 2))) == .invalidReplaceIfPresentFlag)
        #expect(status(.submitSM(SubmitSM(source: a, destination: a, tlvs: [TLV(tag: .sarTotalSegments, value: ByteBuffer(integer: UInt16(3)))]))) == .invalidParameterLength)
        #expect(status(.submitSM(SubmitSM(source: a, destination: .international("44\u{0}77")))) == .invalidDestinationAddress)
        #expect(status(.submitSM(SubmitSM(source: .alphanumeric("€uro"), destination: a))) == .invalidSourceAddress)
        #expect(status(.submitSMResp(MessageIDResponse(messageID: String(repeating: "m", count: 65)))) == .invalidMessageID)
        #expect(status(.submitMulti(SubmitMulti(source: a, destinations: []))) == .invalidNumberOfDestinations)
        #expect(status(.dataSM(DataSM(source: .international(String(repeating: "1", count: 64)), destination: a))) == nil)
        #expect(status(.submitSM(SubmitSM(source: .alphanumeric("Café"), destination: a))) == nil)
    }
}
