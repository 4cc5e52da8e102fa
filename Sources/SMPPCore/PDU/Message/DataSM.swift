/// data_sm (SMPP v3.4 §4.7.1): an interactive alternative to submit_sm/deliver_sm, in either
/// direction. The message travels in message_payload; addresses may be 64 characters.
public struct DataSM: PDUBody, CustomStringConvertible {
    public var serviceType: String
    public var source: SMPPAddress
    public var destination: SMPPAddress
    public var esmClass: ESMClass
    public var registeredDelivery: RegisteredDelivery
    public var dataCoding: DataCoding
    public var tlvs: TLVList

    public init(
        serviceType: String = "", source: SMPPAddress, destination: SMPPAddress, esmClass: ESMClass = ESMClass(),
        registeredDelivery: RegisteredDelivery = .none, dataCoding: DataCoding = .smscDefault, tlvs: TLVList = []
    ) {
        self.serviceType = serviceType
        self.source = source
        self.destination = destination
        self.esmClass = esmClass
        self.registeredDelivery = registeredDelivery
        self.dataCoding = dataCoding
        self.tlvs = tlvs
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> DataSM {
        let serviceType = try buffer.readSMPPCOctetString(.serviceType)
        let source = try buffer.readSMPPAddress(.dataSourceAddr)
        let destination = try buffer.readSMPPAddress(.dataDestinationAddr)
        let esm = try buffer.readSMPPInteger("esm_class", as: UInt8.self)
        let registered = try buffer.readSMPPInteger("registered_delivery", as: UInt8.self)
        let coding = try buffer.readSMPPInteger("data_coding", as: UInt8.self)
        return DataSM(
            serviceType: serviceType, source: source, destination: destination, esmClass: ESMClass(rawValue: esm),
            registeredDelivery: RegisteredDelivery(rawValue: registered), dataCoding: DataCoding(rawValue: coding),
            tlvs: try buffer.readSMPPTLVs()
        )
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.serviceType.utf8.count + self.source.encodedLengthBound + self.destination.encodedLengthBound + 4 + self.tlvs.encodedLength
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.serviceType, .serviceType)
        try buffer.writeSMPPAddress(self.source, .dataSourceAddr)
        try buffer.writeSMPPAddress(self.destination, .dataDestinationAddr)
        buffer.writeMultipleIntegers(self.esmClass.rawValue, self.registeredDelivery.rawValue, self.dataCoding.rawValue)
        try buffer.writeSMPPTLVs(self.tlvs)
    }

    public var description: String {
        "service_type=\(self.serviceType) source=\(self.source) destination=\(self.destination) \(self.esmClass) "
            + "\(self.registeredDelivery) \(self.dataCoding) tlvs=\(self.tlvs)"
    }
}
