public import NIOCore

/// submit_multi (SMPP v3.4 §4.5.1): one message to up to 254 SME addresses and distribution lists.
public struct SubmitMulti: PDUBody, CustomStringConvertible {
    /// One entry of dest_address (§4.5.1.1): dest_flag 1 is an SME address, 2 a distribution list.
    public enum Destination: Hashable, Sendable, CustomStringConvertible {
        case address(SMPPAddress)
        /// ≤ 20 characters.
        case distributionList(String)

        public var description: String {
            switch self {
            case .address(let address): "\(address)"
            case .distributionList(let name): "dl:\(name)"
            }
        }
    }

    public var serviceType: String
    public var source: SMPPAddress
    /// 1–254 entries.
    public var destinations: [Destination]
    public var esmClass: ESMClass
    public var protocolID: UInt8
    public var priorityFlag: UInt8
    public var scheduleDeliveryTime: SMPPTime?
    public var validityPeriod: SMPPTime?
    public var registeredDelivery: RegisteredDelivery
    public var replaceIfPresentFlag: UInt8
    public var dataCoding: DataCoding
    public var smDefaultMsgID: UInt8
    public var shortMessage: ByteBuffer
    public var tlvs: TLVList

    public init(
        serviceType: String = "", source: SMPPAddress, destinations: [Destination], esmClass: ESMClass = ESMClass(),
        protocolID: UInt8 = 0, priorityFlag: UInt8 = 0, scheduleDeliveryTime: SMPPTime? = nil,
        validityPeriod: SMPPTime? = nil, registeredDelivery: RegisteredDelivery = .none,
        replaceIfPresentFlag: UInt8 = 0, dataCoding: DataCoding = .smscDefault, smDefaultMsgID: UInt8 = 0,
        shortMessage: ByteBuffer = ByteBuffer(), tlvs: TLVList = []
    ) {
        self.serviceType = serviceType
        self.source = source
        self.destinations = destinations
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

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> SubmitMulti {
        let serviceType = try buffer.readSMPPCOctetString(.serviceType)
        let source = try buffer.readSMPPAddress(.sourceAddr)
        let count = try buffer.readSMPPInteger("number_of_dests", as: UInt8.self)
            .checked(1...254, "number_of_dests", .invalidNumberOfDestinations)
        var destinations: [Destination] = []
        destinations.reserveCapacity(Int(count))
        for _ in 0..<count {
            switch try buffer.readSMPPInteger("dest_flag", as: UInt8.self) {
            case 1: destinations.append(.address(try buffer.readSMPPAddress(.destinationAddr)))
            case 2: destinations.append(.distributionList(try buffer.readSMPPCOctetString(.dlName)))
            default: throw .invalidField(field: "dest_flag", status: .invalidDestinationFlag)
            }
        }
        let esm = try buffer.readSMPPInteger("esm_class", as: UInt8.self)
        let pid = try buffer.readSMPPInteger("protocol_id", as: UInt8.self)
        let priority = try buffer.readSMPPInteger("priority_flag", as: UInt8.self)
        let schedule = try buffer.readSMPPTime(.scheduleDeliveryTime)
        let validity = try buffer.readSMPPTime(.validityPeriod)
        let registered = try buffer.readSMPPInteger("registered_delivery", as: UInt8.self)
        let replace = try buffer.readSMPPInteger("replace_if_present_flag", as: UInt8.self)
        let coding = try buffer.readSMPPInteger("data_coding", as: UInt8.self)
        let defaultID = try buffer.readSMPPInteger("sm_default_msg_id", as: UInt8.self)
        let shortMessage = try buffer.readSMPPShortMessage()
        return SubmitMulti(
            serviceType: serviceType, source: source, destinations: destinations, esmClass: ESMClass(rawValue: esm),
            protocolID: pid, priorityFlag: try priority.checked(0...3, "priority_flag", .invalidPriorityFlag),
            scheduleDeliveryTime: schedule, validityPeriod: validity,
            registeredDelivery: RegisteredDelivery(rawValue: registered),
            replaceIfPresentFlag: try replace.checked(0...1, "replace_if_present_flag", .invalidReplaceIfPresentFlag),
            dataCoding: DataCoding(rawValue: coding),
            smDefaultMsgID: try defaultID.checked(0...254, "sm_default_msg_id", .invalidDefaultMessageID),
            shortMessage: shortMessage, tlvs: try buffer.readSMPPTLVs()
        )
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.serviceType.utf8.count + self.source.encodedLengthBound + 48 + self.shortMessage.readableBytes + self.tlvs.encodedLength + self.destinations.reduce(0) { total, destination in
            switch destination {
            case .address(let address): total + 1 + address.encodedLengthBound
            case .distributionList(let name): total + 2 + name.utf8.count
            }
        }
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.serviceType, .serviceType)
        try buffer.writeSMPPAddress(self.source, .sourceAddr)
        guard (1...254).contains(self.destinations.count) else {
            throw .invalidField(field: "number_of_dests", status: .invalidNumberOfDestinations)
        }
        buffer.writeInteger(UInt8(self.destinations.count))
        for destination in self.destinations {
            switch destination {
            case .address(let address):
                buffer.writeInteger(UInt8(1))
                try buffer.writeSMPPAddress(address, .destinationAddr)
            case .distributionList(let name):
                buffer.writeInteger(UInt8(2))
                try buffer.writeSMPPCOctetString(name, .dlName)
            }
        }
        buffer.writeMultipleIntegers(
            self.esmClass.rawValue, self.protocolID,
            try self.priorityFlag.checked(0...3, "priority_flag", .invalidPriorityFlag))
        try buffer.writeSMPPTime(self.scheduleDeliveryTime, .scheduleDeliveryTime)
        try buffer.writeSMPPTime(self.validityPeriod, .validityPeriod)
        buffer.writeMultipleIntegers(
            self.registeredDelivery.rawValue,
            try self.replaceIfPresentFlag.checked(0...1, "replace_if_present_flag", .invalidReplaceIfPresentFlag),
            self.dataCoding.rawValue,
            try self.smDefaultMsgID.checked(0...254, "sm_default_msg_id", .invalidDefaultMessageID))
        try buffer.writeSMPPShortMessage(self.shortMessage)
        try buffer.writeSMPPTLVs(self.tlvs)
    }

    public var description: String {
        "source=\(self.source) destinations=\(self.destinations) \(self.esmClass) \(self.dataCoding) "
            + "sm_length=\(self.shortMessage.readableBytes) tlvs=\(self.tlvs)"
    }
}
