public import NIOCore

/// replace_sm (SMPP v3.4 §4.10.1): replace a pending message's text, times or receipt request.
public struct ReplaceSM: PDUBody, CustomStringConvertible {
    public var messageID: String
    public var source: SMPPAddress
    public var scheduleDeliveryTime: SMPPTime?
    public var validityPeriod: SMPPTime?
    public var registeredDelivery: RegisteredDelivery
    public var smDefaultMsgID: UInt8
    public var shortMessage: ByteBuffer

    public init(
        messageID: String, source: SMPPAddress, scheduleDeliveryTime: SMPPTime? = nil, validityPeriod: SMPPTime? = nil,
        registeredDelivery: RegisteredDelivery = .none, smDefaultMsgID: UInt8 = 0, shortMessage: ByteBuffer = ByteBuffer()
    ) {
        self.messageID = messageID
        self.source = source
        self.scheduleDeliveryTime = scheduleDeliveryTime
        self.validityPeriod = validityPeriod
        self.registeredDelivery = registeredDelivery
        self.smDefaultMsgID = smDefaultMsgID
        self.shortMessage = shortMessage
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> ReplaceSM {
        let messageID = try buffer.readSMPPCOctetString(.messageID)
        let source = try buffer.readSMPPAddress(.sourceAddr)
        let schedule = try buffer.readSMPPTime(.scheduleDeliveryTime)
        let validity = try buffer.readSMPPTime(.validityPeriod)
        let registered = try buffer.readSMPPInteger("registered_delivery", as: UInt8.self)
        let defaultID = try buffer.readSMPPInteger("sm_default_msg_id", as: UInt8.self)
            .checked(0...254, "sm_default_msg_id", .invalidDefaultMessageID)
        return ReplaceSM(
            messageID: messageID, source: source, scheduleDeliveryTime: schedule, validityPeriod: validity,
            registeredDelivery: RegisteredDelivery(rawValue: registered), smDefaultMsgID: defaultID,
            shortMessage: try buffer.readSMPPShortMessage()
        )
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.messageID.utf8.count + 1 + self.source.encodedLengthBound + 34 + 3 + self.shortMessage.readableBytes
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.messageID, .messageID)
        try buffer.writeSMPPAddress(self.source, .sourceAddr)
        try buffer.writeSMPPTime(self.scheduleDeliveryTime, .scheduleDeliveryTime)
        try buffer.writeSMPPTime(self.validityPeriod, .validityPeriod)
        buffer.writeMultipleIntegers(
            self.registeredDelivery.rawValue,
            try self.smDefaultMsgID.checked(0...254, "sm_default_msg_id", .invalidDefaultMessageID))
        try buffer.writeSMPPShortMessage(self.shortMessage)
    }

    public var description: String {
        "message_id=\(self.messageID) source=\(self.source) sm_length=\(self.shortMessage.readableBytes)"
    }
}
