public import NIOCore

/// The mandatory fields submit_sm, deliver_sm and submit_multi share after their addresses
/// (SMPP v3.4 §4.4.1, §4.5.1, §4.6.1): esm_class through short_message, read and written once here.
@usableFromInline
struct MessageFields {
    @usableFromInline var esmClass: ESMClass
    @usableFromInline var protocolID: UInt8
    @usableFromInline var priorityFlag: Priority
    @usableFromInline var scheduleDeliveryTime: SMPPTime?
    @usableFromInline var validityPeriod: SMPPTime?
    @usableFromInline var registeredDelivery: RegisteredDelivery
    @usableFromInline var replaceIfPresentFlag: UInt8
    @usableFromInline var dataCoding: DataCoding
    @usableFromInline var smDefaultMsgID: UInt8
    @usableFromInline var shortMessage: ByteBuffer

    @inlinable
    init(
        esmClass: ESMClass, protocolID: UInt8, priorityFlag: Priority, scheduleDeliveryTime: SMPPTime?,
        validityPeriod: SMPPTime?, registeredDelivery: RegisteredDelivery, replaceIfPresentFlag: UInt8,
        dataCoding: DataCoding, smDefaultMsgID: UInt8, shortMessage: ByteBuffer
    ) {
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
    }

    /// The octets `write` puts out besides the message: 7 one-octet fields, two times of at most
    /// 17, and sm_length.
    @usableFromInline static let fixedLengthBound = 7 + 2 * 17 + 1

    /// priority_flag 0–3 (ESME_RINVPRTFLG), replace_if_present_flag 0–1 (ESME_RINVREPFLAG),
    /// sm_default_msg_id 0–254 (ESME_RINVDFTMSGID), short_message ≤ 254 octets (ESME_RINVMSGLEN).
    @inlinable
    static func read(from reader: inout SMPPReader) throws(BodyError) -> MessageFields {
        let esm = try reader.readSMPPInteger("esm_class", as: UInt8.self)
        let pid = try reader.readSMPPInteger("protocol_id", as: UInt8.self)
        let priority = try reader.readSMPPInteger("priority_flag", as: UInt8.self)
        let schedule = try reader.readSMPPTime(.scheduleDeliveryTime)
        let validity = try reader.readSMPPTime(.validityPeriod)
        let registered = try reader.readSMPPInteger("registered_delivery", as: UInt8.self)
        let replace = try reader.readSMPPInteger("replace_if_present_flag", as: UInt8.self)
        let coding = try reader.readSMPPInteger("data_coding", as: UInt8.self)
        let defaultID = try reader.readSMPPInteger("sm_default_msg_id", as: UInt8.self)
        let shortMessage = try reader.readSMPPShortMessage()
        return MessageFields(
            esmClass: ESMClass(rawValue: esm), protocolID: pid,
            priorityFlag: Priority(rawValue: try priority.checked(Priority.valid, "priority_flag", .invalidPriorityFlag)),
            scheduleDeliveryTime: schedule, validityPeriod: validity,
            registeredDelivery: RegisteredDelivery(rawValue: registered),
            replaceIfPresentFlag: try replace.checked(0...1, "replace_if_present_flag", .invalidReplaceIfPresentFlag),
            dataCoding: DataCoding(rawValue: coding),
            smDefaultMsgID: try defaultID.checked(0...254, "sm_default_msg_id", .invalidDefaultMessageID),
            shortMessage: shortMessage)
    }

    @inlinable
    func write(into writer: inout SMPPWriter) throws(BodyError) {
        writer.writeMultipleIntegers(
            self.esmClass.rawValue, self.protocolID,
            try self.priorityFlag.rawValue.checked(Priority.valid, "priority_flag", .invalidPriorityFlag))
        try writer.writeSMPPTime(self.scheduleDeliveryTime, .scheduleDeliveryTime)
        try writer.writeSMPPTime(self.validityPeriod, .validityPeriod)
        writer.writeMultipleIntegers(
            self.registeredDelivery.rawValue,
            try self.replaceIfPresentFlag.checked(0...1, "replace_if_present_flag", .invalidReplaceIfPresentFlag),
            self.dataCoding.rawValue,
            try self.smDefaultMsgID.checked(0...254, "sm_default_msg_id", .invalidDefaultMessageID))
        try writer.writeSMPPShortMessage(self.shortMessage)
    }
}

/// A PDU that carries the shared fields (submit_sm/deliver_sm, submit_multi): one definition of
/// how they are gathered for reading and writing.
@usableFromInline
protocol MessageFieldsCarrier {
    var esmClass: ESMClass { get }
    var protocolID: UInt8 { get }
    var priorityFlag: Priority { get }
    var scheduleDeliveryTime: SMPPTime? { get }
    var validityPeriod: SMPPTime? { get }
    var registeredDelivery: RegisteredDelivery { get }
    var replaceIfPresentFlag: UInt8 { get }
    var dataCoding: DataCoding { get }
    var smDefaultMsgID: UInt8 { get }
    var shortMessage: ByteBuffer { get }
}

extension MessageFieldsCarrier {
    @inlinable
    var messageFields: MessageFields {
        MessageFields(
            esmClass: self.esmClass, protocolID: self.protocolID, priorityFlag: self.priorityFlag,
            scheduleDeliveryTime: self.scheduleDeliveryTime, validityPeriod: self.validityPeriod,
            registeredDelivery: self.registeredDelivery, replaceIfPresentFlag: self.replaceIfPresentFlag,
            dataCoding: self.dataCoding, smDefaultMsgID: self.smDefaultMsgID, shortMessage: self.shortMessage)
    }

    /// At most the octets the shared fields take, without gathering them.
    @inlinable
    var messageFieldsLengthBound: Int { MessageFields.fixedLengthBound + self.shortMessage.readableBytes }
}

extension SubmitSM: MessageFieldsCarrier {}
extension SubmitMulti: MessageFieldsCarrier {}
