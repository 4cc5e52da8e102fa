public import NIOCore

/// submit_sm (SMPP v3.4 §4.4.1); the same layout serves deliver_sm (§4.6.1), so `DeliverSM` is
/// this type too.
///
/// `shortMessage` holds the octets exactly as carried (0–254; GSM-7 unpacked one septet per octet,
/// UCS-2 as UTF-16BE, a UDH first when `esmClass.udhi` is set). A longer message travels in the
/// `tlvs.messagePayload` TLV with an empty `shortMessage`.
public struct SubmitSM: PDUBody, CustomStringConvertible {
    /// ≤ 5 characters; empty for the SMSC default.
    public var serviceType: String
    public var source: SMPPAddress
    public var destination: SMPPAddress
    public var esmClass: ESMClass
    public var protocolID: UInt8
    public var priorityFlag: Priority
    /// `nil`: immediate delivery.
    public var scheduleDeliveryTime: SMPPTime?
    /// `nil`: the SMSC's default validity.
    public var validityPeriod: SMPPTime?
    public var registeredDelivery: RegisteredDelivery
    /// 0 or 1.
    public var replaceIfPresentFlag: UInt8
    public var dataCoding: DataCoding
    /// 0 (none) or 1–254, a canned message.
    public var smDefaultMsgID: UInt8
    public var shortMessage: ByteBuffer
    public var tlvs: TLVList

    /// The most octets short_message may hold (§5.2.21); longer goes in message_payload.
    public static let maxShortMessageLength = 254

    public init(
        serviceType: String = "", source: SMPPAddress, destination: SMPPAddress, esmClass: ESMClass = ESMClass(),
        protocolID: UInt8 = 0, priorityFlag: Priority = .level0, scheduleDeliveryTime: SMPPTime? = nil,
        validityPeriod: SMPPTime? = nil, registeredDelivery: RegisteredDelivery = .none,
        replaceIfPresentFlag: UInt8 = 0, dataCoding: DataCoding = .smscDefault, smDefaultMsgID: UInt8 = 0,
        shortMessage: ByteBuffer = ByteBuffer(), tlvs: TLVList = []
    ) {
        self.serviceType = serviceType
        self.source = source
        self.destination = destination
        self.esmClass = esmClass
        self.protocolID = protocolID
        self.priorityFlag = priorityFlag
        self.scheduleDeliveryTime = scheduleDeliveryTime
        self.validityPeriod = validityPeriod
        self.registeredDelivery = registeredDelivery
        self.replaceIfPresentFlag = replaceIfPresentFlag
        self.dataCoding = dataCoding
        self.smDefaultMsgID = smDefaultMsgID
        self.shortMessage = shortMessage
        self.tlvs = tlvs
    }

    /// The message octets wherever they are: message_payload when present, else short_message.
    public var payload: ByteBuffer { self.tlvs.messagePayload ?? self.shortMessage }

    @inlinable
    init(serviceType: String, source: SMPPAddress, destination: SMPPAddress, fields f: MessageFields, tlvs: TLVList) {
        self.init(
            serviceType: serviceType, source: source, destination: destination, esmClass: f.esmClass,
            protocolID: f.protocolID, priorityFlag: f.priorityFlag, scheduleDeliveryTime: f.scheduleDeliveryTime,
            validityPeriod: f.validityPeriod, registeredDelivery: f.registeredDelivery,
            replaceIfPresentFlag: f.replaceIfPresentFlag, dataCoding: f.dataCoding, smDefaultMsgID: f.smDefaultMsgID,
            shortMessage: f.shortMessage, tlvs: tlvs)
    }

    @inlinable
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> SubmitSM {
        let serviceType = try buffer.readSMPPCOctetString(.serviceType)
        let source = try buffer.readSMPPAddress(.sourceAddr)
        let destination = try buffer.readSMPPAddress(.destinationAddr)
        let fields = try MessageFields.read(from: &buffer)
        return SubmitSM(serviceType: serviceType, source: source, destination: destination, fields: fields, tlvs: try buffer.readSMPPTLVs())
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.serviceType.utf8.count + 1 + self.source.encodedLengthBound + self.destination.encodedLengthBound
            + self.messageFieldsLengthBound + self.tlvs.encodedLength
    }

    @inlinable
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.serviceType, .serviceType)
        try buffer.writeSMPPAddress(self.source, .sourceAddr)
        try buffer.writeSMPPAddress(self.destination, .destinationAddr)
        try self.messageFields.write(into: &buffer)
        try buffer.writeSMPPTLVs(self.tlvs)
    }

    public var description: String {
        "service_type=\(self.serviceType) source=\(self.source) destination=\(self.destination) \(self.esmClass) "
            + "\(self.registeredDelivery) \(self.dataCoding) sm_length=\(self.shortMessage.readableBytes) tlvs=\(self.tlvs)"
    }
}

