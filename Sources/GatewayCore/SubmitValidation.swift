public import NIOCore
public import SMPPCore

/// Checks a submitted message field by field and turns it into a `Message`, or names the exact
/// SMPP v3.4 status for the first fault. Shared by submit_sm, data_sm and submit_multi (and the
/// HTTP API, which maps the statuses to its own error codes).
public struct SubmitValidation: Sendable {
    public struct Limits: Sendable {
        /// Validity given to a message that names none.
        public var defaultValidity: Duration
        /// The longest validity accepted; longer is shortened to this (as SMSCs do).
        public var maximumValidity: Duration
        /// The most segments one message may need.
        public var maximumSegments: Int

        public init(defaultValidity: Duration = .seconds(48 * 3600), maximumValidity: Duration = .seconds(7 * 86_400), maximumSegments: Int = 16) {
            self.defaultValidity = defaultValidity
            self.maximumValidity = maximumValidity
            self.maximumSegments = maximumSegments
        }
    }

    /// The message fields of a submit, whichever PDU carried them.
    public struct Fields: Sendable {
        public var serviceType: String
        public var source: SMPPAddress
        public var destination: SMPPAddress
        public var esmClass: ESMClass
        public var protocolID: UInt8
        public var priority: Priority
        public var scheduleDeliveryTime: SMPPTime?
        public var validityPeriod: SMPPTime?
        public var registeredDelivery: RegisteredDelivery
        public var replaceIfPresentFlag: UInt8
        public var dataCoding: DataCoding
        public var shortMessage: ByteBuffer
        public var tlvs: TLVList

        public init(_ submit: SubmitSM) {
            self.serviceType = submit.serviceType
            self.source = submit.source
            self.destination = submit.destination
            self.esmClass = submit.esmClass
            self.protocolID = submit.protocolID
            self.priority = submit.priorityFlag
            self.scheduleDeliveryTime = submit.scheduleDeliveryTime
            self.validityPeriod = submit.validityPeriod
            self.registeredDelivery = submit.registeredDelivery
            self.replaceIfPresentFlag = submit.replaceIfPresentFlag
            self.dataCoding = submit.dataCoding
            self.shortMessage = submit.shortMessage
            self.tlvs = submit.tlvs
        }

        public init(_ data: DataSM) {
            self.serviceType = data.serviceType
            self.source = data.source
            self.destination = data.destination
            self.esmClass = data.esmClass
            self.protocolID = 0
            self.priority = .level0
            self.scheduleDeliveryTime = nil
            self.validityPeriod = nil
            self.registeredDelivery = data.registeredDelivery
            self.replaceIfPresentFlag = 0
            self.dataCoding = data.dataCoding
            self.shortMessage = ByteBuffer()
            self.tlvs = data.tlvs
        }

        public init(_ multi: SubmitMulti, destination: SMPPAddress) {
            self.serviceType = multi.serviceType
            self.source = multi.source
            self.destination = destination
            self.esmClass = multi.esmClass
            self.protocolID = multi.protocolID
            self.priority = multi.priorityFlag
            self.scheduleDeliveryTime = multi.scheduleDeliveryTime
            self.validityPeriod = multi.validityPeriod
            self.registeredDelivery = multi.registeredDelivery
            self.replaceIfPresentFlag = multi.replaceIfPresentFlag
            self.dataCoding = multi.dataCoding
            self.shortMessage = multi.shortMessage
            self.tlvs = multi.tlvs
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) { self.limits = limits }

    static let validNPIs: Set<UInt8> = [0, 1, 3, 4, 6, 8, 9, 10, 14, 18]

    /// The message the fields describe (id and account filled in by the caller), or the status
    /// to answer with. `now` in milliseconds since 1970.
    public func validate(_ fields: Fields, now: Int64) -> Result<Message, Refused> {
        // Source (§5.2.8–5.2.9).
        guard fields.source.ton.rawValue <= 6 else { return .failure(Refused(.invalidSourceTON)) }
        guard Self.validNPIs.contains(fields.source.npi.rawValue) else { return .failure(Refused(.invalidSourceNPI)) }
        guard Self.isValidSource(fields.source) else { return .failure(Refused(.invalidSourceAddress)) }
        // Destination.
        guard fields.destination.ton.rawValue <= 6, fields.destination.ton != .alphanumeric else {
            return .failure(Refused(.invalidDestinationTON))
        }
        guard Self.validNPIs.contains(fields.destination.npi.rawValue) else { return .failure(Refused(.invalidDestinationNPI)) }
        guard Self.isNumber(fields.destination.address) else { return .failure(Refused(.invalidDestinationAddress)) }
        // esm_class (§5.2.12): an ESME may submit a normal message or an SME/user acknowledgement.
        switch fields.esmClass.messageType {
        case .default, .deliveryAcknowledgement, .manualAcknowledgement: break
        default: return .failure(Refused(.invalidESMClass))
        }
        // registered_delivery (§5.2.17): bits 5–7 are reserved.
        guard fields.registeredDelivery.rawValue & 0xE0 == 0 else { return .failure(Refused(.invalidRegisteredDeliveryFlag)) }
        guard fields.replaceIfPresentFlag <= 1 else { return .failure(Refused(.invalidReplaceIfPresentFlag)) }
        guard Self.isKnown(fields.dataCoding) else { return .failure(Refused(.invalidDataCoding)) }
        // short_message vs message_payload (§5.3.2.32): one or the other, never both.
        let payload: ByteBuffer
        if let messagePayload = fields.tlvs.messagePayload {
            guard fields.shortMessage.readableBytes == 0 else { return .failure(Refused(.invalidMessageLength)) }
            payload = messagePayload
        } else {
            payload = fields.shortMessage
        }
        let octets = payload.getBytes(at: payload.readerIndex, length: payload.readableBytes) ?? []
        if fields.esmClass.udhi {
            guard let length = octets.first, Int(length) + 1 <= octets.count else { return .failure(Refused(.invalidMessageLength)) }
        }
        if fields.dataCoding.alphabet == .ucs2 {
            let headerLength = fields.esmClass.udhi ? Int(octets[0]) + 1 : 0
            guard (octets.count - headerLength) % 2 == 0 else { return .failure(Refused(.invalidMessageLength)) }
        }
        let segments = Self.segments(octets: octets.count, dataCoding: fields.dataCoding, udhi: fields.esmClass.udhi)
        guard segments <= self.limits.maximumSegments else { return .failure(Refused(.invalidMessageLength)) }
        // Times (§7.1): a past schedule means now; a past expiry is refused.
        let scheduled = fields.scheduleDeliveryTime.map { Self.milliseconds($0, now: now) }.flatMap { $0 > now ? $0 : nil }
        let maximum = now + Self.milliseconds(self.limits.maximumValidity)
        var expires = fields.validityPeriod.map { Self.milliseconds($0, now: now) } ?? (now + Self.milliseconds(self.limits.defaultValidity))
        guard expires > now else { return .failure(Refused(.invalidExpiryTime)) }
        expires = min(expires, maximum)
        if let scheduled { guard scheduled < expires else { return .failure(Refused(.invalidScheduledDeliveryTime)) } }

        var tlvs = fields.tlvs
        if tlvs.messagePayload != nil { tlvs = TLVList(tlvs.filter { $0.tag != .messagePayload }) }
        return .success(
            Message(
                id: MessageID(rawValue: 0), accountID: "", serviceType: fields.serviceType, source: fields.source,
                destination: fields.destination, esmClass: fields.esmClass, protocolID: fields.protocolID,
                priority: fields.priority.rawValue, registeredDelivery: fields.registeredDelivery, dataCoding: fields.dataCoding,
                payload: octets, tlvs: tlvs, segments: segments, submittedAt: now, scheduledAt: scheduled, expiresAt: expires))
    }

    /// Segments a message of `octets` needs: a message with a UDH is one segment (the ESME split
    /// it); otherwise 160/153 septets (GSM, one per octet unpacked) or 140/134 octets.
    public static func segments(octets: Int, dataCoding: DataCoding, udhi: Bool) -> Int {
        if udhi || octets == 0 { return 1 }
        let sevenBit = dataCoding.alphabet == .gsm7 || dataCoding == .smscDefault || dataCoding == .ia5
        let (single, part) = sevenBit ? (160, 153) : (140, 134)
        return octets <= single ? 1 : (octets + part - 1) / part
    }

    static func isKnown(_ coding: DataCoding) -> Bool {
        switch coding.rawValue {
        case 0x00...0x0A, 0x0D, 0x0E, 0x10...0x1F, 0xC0...0xFF: true
        default: false
        }
    }

    static func isValidSource(_ address: SMPPAddress) -> Bool {
        let text = address.address
        guard !text.isEmpty else { return false }
        if address.ton == .alphanumeric { return text.count <= 11 }
        return isNumber(text) || text.count <= 11
    }

    /// Digits, optionally after one `+`; 1–20 of them.
    static func isNumber(_ text: String) -> Bool {
        var digits = text.utf8[...]
        if digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        return (1...20).contains(digits.count) && digits.allSatisfy { (0x30...0x39).contains($0) }
    }

    public static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// An SMPP time as milliseconds since 1970; relative times count from `now`.
    public static func milliseconds(_ time: SMPPTime, now: Int64) -> Int64 {
        switch time {
        case .absolute(let absolute):
            return absolute.secondsSince1970 * 1000 + Int64(absolute.tenths) * 100
        case .relative(let relative):
            let start = SMPPTime.AbsoluteTime(secondsSince1970: now / 1000)
            return relative.added(to: start).secondsSince1970 * 1000 + now % 1000
        }
    }
}

/// Why a message was not accepted: the SMPP status to answer with (the HTTP API maps it to its
/// own error codes).
public struct Refused: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: CommandStatus
    /// A rule beyond SMPP's own statuses (DLT): its stable code and what it says.
    public var code: String?
    public var reason: String?

    public init(_ status: CommandStatus, code: String? = nil, reason: String? = nil) {
        self.status = status
        self.code = code
        self.reason = reason
    }

    public var description: String { self.reason.map { "\(self.status): \($0)" } ?? "\(self.status)" }
}
