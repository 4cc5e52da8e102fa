/// bind_transmitter, bind_receiver and bind_transceiver (SMPP v3.4 §4.1.1, §4.1.3, §4.1.5): the
/// three share one body; which bind it is comes from the `PDU` case.
public struct Bind: PDUBody, CustomStringConvertible {
    /// ≤ 15 characters.
    public var systemID: String
    /// ≤ 8 characters. Never printed: `description` shows `********`.
    public var password: String
    /// ≤ 12 characters.
    public var systemType: String
    /// 0x34 for SMPP v3.4; 0x00–0x33 means a v3.3-or-earlier ESME, 0x50 is v5.0.
    public var interfaceVersion: UInt8
    /// addr_ton, addr_npi and address_range (≤ 40 characters): the addresses served by a receiver.
    public var addressRange: SMPPAddress

    public init(
        systemID: String, password: String, systemType: String = "", interfaceVersion: UInt8 = 0x34,
        addressRange: SMPPAddress = SMPPAddress()
    ) {
        self.systemID = systemID
        self.password = password
        self.systemType = systemType
        self.interfaceVersion = interfaceVersion
        self.addressRange = addressRange
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> Bind {
        let systemID = try buffer.readSMPPCOctetString(.systemID)
        let password = try buffer.readSMPPCOctetString(.password)
        let systemType = try buffer.readSMPPCOctetString(.systemType)
        let version = try buffer.readSMPPInteger("interface_version", as: UInt8.self)
        let range = try buffer.readSMPPAddress(.addressRange)
        return Bind(
            systemID: systemID, password: password, systemType: systemType, interfaceVersion: version,
            addressRange: range
        )
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.systemID.utf8.count + self.password.utf8.count + self.systemType.utf8.count + self.addressRange.encodedLengthBound + 4
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.systemID, .systemID)
        try buffer.writeSMPPCOctetString(self.password, .password)
        try buffer.writeSMPPCOctetString(self.systemType, .systemType)
        buffer.writeInteger(self.interfaceVersion)
        try buffer.writeSMPPAddress(self.addressRange, .addressRange)
    }

    public var description: String {
        "system_id=\(self.systemID) password=******** system_type=\(self.systemType) "
            + "interface_version=0x\(hex(self.interfaceVersion, width: 2)) address_range=\(self.addressRange)"
    }
}
