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
    public var priorityFlag: Priority
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
        protocolID: UInt8 = 0, priorityFlag: Priority = .level0, scheduleDeliveryTime: SMPPTime? = nil,
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
        let f = try MessageFields.read(from: &buffer)
        return SubmitMulti(
            serviceType: serviceType, source: source, destinations: destinations, esmClass: f.esmClass,
            protocolID: f.protocolID, priorityFlag: f.priorityFlag, scheduleDeliveryTime: f.scheduleDeliveryTime,
            validityPeriod: f.validityPeriod, registeredDelivery: f.registeredDelivery,
            replaceIfPresentFlag: f.replaceIfPresentFlag, dataCoding: f.dataCoding, smDefaultMsgID: f.smDefaultMsgID,
            shortMessage: f.shortMessage, tlvs: try buffer.readSMPPTLVs())
    }

    /// At most the octets `encode` writes.
    @usableFromInline
    var encodedLengthBound: Int {
        self.serviceType.utf8.count + 2 + self.source.encodedLengthBound + self.messageFieldsLengthBound
            + self.tlvs.encodedLength
            + self.destinations.reduce(0) { total, destination in
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
        try self.messageFields.write(into: &buffer)
        try buffer.writeSMPPTLVs(self.tlvs)
    }

    public var description: String {
        "source=\(self.source) destinations=\(self.destinations) \(self.esmClass) \(self.dataCoding) "
            + "sm_length=\(self.shortMessage.readableBytes) tlvs=\(self.tlvs)"
    }
}
