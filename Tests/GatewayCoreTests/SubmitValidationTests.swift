import GatewayCore
import NIOCore
import SMPPCore
import Testing

@Suite struct SubmitValidationTests {
    let now: Int64 = 1_800_000_000_000
    let validation = SubmitValidation()

    func submit(
        source: SMPPAddress = .init(ton: .alphanumeric, npi: .unknown, "ACME"),
        destination: SMPPAddress = .init(ton: .international, npi: .isdn, "447700900001"), esmClass: ESMClass = ESMClass(),
        registeredDelivery: RegisteredDelivery = .receipt, dataCoding: DataCoding = .smscDefault, text: [UInt8] = Array("hello".utf8),
        payload: [UInt8]? = nil, validity: SMPPTime? = nil, schedule: SMPPTime? = nil, replace: UInt8 = 0
    ) -> SubmitValidation.Fields {
        var submit = SubmitSM(
            source: source, destination: destination, esmClass: esmClass, scheduleDeliveryTime: schedule, validityPeriod: validity,
            registeredDelivery: registeredDelivery, replaceIfPresentFlag: replace, dataCoding: dataCoding, shortMessage: ByteBuffer(bytes: text))
        if let payload { submit.tlvs.append(TLV(tag: .messagePayload, value: ByteBuffer(bytes: payload))) }
        return SubmitValidation.Fields(submit)
    }

    func status(_ fields: SubmitValidation.Fields) -> CommandStatus {
        switch self.validation.validate(fields, now: self.now) {
        case .success: .ok
        case .failure(let refused): refused.status
        }
    }

    @Test func aPlainMessagePassesWithOneSegmentAndDefaultValidity() throws {
        let message = try self.validation.validate(self.submit(), now: self.now).get()
        #expect(message.segments == 1)
        #expect(message.payload == Array("hello".utf8))
        #expect(message.status == .queued)
        #expect(message.expiresAt == self.now + 48 * 3_600_000)
        #expect(message.scheduledAt == nil)
    }

    @Test func eachFaultGetsItsV34Status() {
        #expect(self.status(self.submit(source: .init(ton: TypeOfNumber(rawValue: 7), npi: .isdn, "123"))) == .invalidSourceTON)
        #expect(self.status(self.submit(source: .init(ton: .international, npi: NumberingPlan(rawValue: 2), "123"))) == .invalidSourceNPI)
        #expect(self.status(self.submit(source: .init(ton: .international, npi: .isdn, ""))) == .invalidSourceAddress)
        #expect(self.status(self.submit(source: .init(ton: .alphanumeric, npi: .unknown, "TWELVECHARSX"))) == .invalidSourceAddress)
        #expect(self.status(self.submit(destination: .init(ton: .alphanumeric, npi: .unknown, "ACME"))) == .invalidDestinationTON)
        #expect(self.status(self.submit(destination: .init(ton: .international, npi: NumberingPlan(rawValue: 7), "4477"))) == .invalidDestinationNPI)
        #expect(self.status(self.submit(destination: .init(ton: .international, npi: .isdn, "44-77"))) == .invalidDestinationAddress)
        #expect(self.status(self.submit(destination: .init(ton: .international, npi: .isdn, ""))) == .invalidDestinationAddress)
        #expect(self.status(self.submit(esmClass: ESMClass(type: .smscDeliveryReceipt))) == .invalidESMClass)
        #expect(self.status(self.submit(registeredDelivery: RegisteredDelivery(rawValue: 0x21))) == .invalidRegisteredDeliveryFlag)
        #expect(self.status(self.submit(dataCoding: DataCoding(rawValue: 0x0B))) == .invalidDataCoding)
        #expect(self.status(self.submit(replace: 2)) == .invalidReplaceIfPresentFlag)
        #expect(self.status(self.submit(text: Array("hi".utf8), payload: Array("hello".utf8))) == .invalidMessageLength)
        #expect(self.status(self.submit(dataCoding: .ucs2, text: [0x00, 0x41, 0x00])) == .invalidMessageLength)
        #expect(self.status(self.submit(esmClass: ESMClass(udhi: true), text: [0x05, 0x00])) == .invalidMessageLength)
        #expect(self.status(self.submit(text: [], payload: Array(repeating: 0x41, count: 153 * 16 + 1))) == .invalidMessageLength)
    }

    @Test func timesAreCheckedAndComputed() throws {
        let past = SMPPTime.absolute(.init(secondsSince1970: self.now / 1000 - 60))
        #expect(self.status(self.submit(validity: past)) == .invalidExpiryTime)
        let inAnHour = SMPPTime.relative(.init(hours: 1))
        let message = try self.validation.validate(self.submit(validity: inAnHour), now: self.now).get()
        #expect(message.expiresAt == self.now + 3_600_000)
        // A schedule in the past means now; one after the expiry is refused.
        let scheduledPast = try self.validation.validate(self.submit(schedule: past), now: self.now).get()
        #expect(scheduledPast.scheduledAt == nil)
        #expect(self.status(self.submit(validity: inAnHour, schedule: .relative(.init(hours: 2)))) == .invalidScheduledDeliveryTime)
        // Longer than the maximum validity is shortened to it.
        let long = try self.validation.validate(self.submit(validity: .relative(.init(days: 30))), now: self.now).get()
        #expect(long.expiresAt == self.now + 7 * 86_400_000)
    }

    @Test func segmentsFollowTheAlphabet() {
        #expect(SubmitValidation.segments(octets: 160, dataCoding: .smscDefault, udhi: false) == 1)
        #expect(SubmitValidation.segments(octets: 161, dataCoding: .smscDefault, udhi: false) == 2)
        #expect(SubmitValidation.segments(octets: 306, dataCoding: .smscDefault, udhi: false) == 2)
        #expect(SubmitValidation.segments(octets: 307, dataCoding: .smscDefault, udhi: false) == 3)
        #expect(SubmitValidation.segments(octets: 140, dataCoding: .ucs2, udhi: false) == 1)
        #expect(SubmitValidation.segments(octets: 142, dataCoding: .ucs2, udhi: false) == 2)
        #expect(SubmitValidation.segments(octets: 140, dataCoding: .ucs2, udhi: true) == 1)
    }

    @Test func messagePayloadIsTheMessageAndIsNotKeptAsATLV() throws {
        let long = Array(repeating: UInt8(0x41), count: 400)
        let message = try self.validation.validate(self.submit(text: [], payload: long), now: self.now).get()
        #expect(message.payload == long)
        #expect(message.segments == 3)
        #expect(message.tlvs.messagePayload == nil)
    }
}
