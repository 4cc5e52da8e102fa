/// alert_notification (SMPP v3.4 §4.12.1): the SMSC tells a receiver that a mobile became
/// available; it has no response.
public struct AlertNotification: PDUBody, CustomStringConvertible {
    public var source: SMPPAddress
    public var esmeAddress: SMPPAddress
    /// ms_availability_status and any others.
    public var tlvs: TLVList

    public init(source: SMPPAddress, esmeAddress: SMPPAddress, tlvs: TLVList = []) {
        self.source = source
        self.esmeAddress = esmeAddress
        self.tlvs = tlvs
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> AlertNotification {
        let source = try buffer.readSMPPAddress(.dataSourceAddr)
        let esme = try buffer.readSMPPAddress(.esmeAddr)
        return AlertNotification(source: source, esmeAddress: esme, tlvs: try buffer.readSMPPTLVs())
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.source.encodedLengthBound + self.esmeAddress.encodedLengthBound + self.tlvs.encodedLength
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPAddress(self.source, .dataSourceAddr)
        try buffer.writeSMPPAddress(self.esmeAddress, .esmeAddr)
        try buffer.writeSMPPTLVs(self.tlvs)
    }

    public var description: String { "source=\(self.source) esme=\(self.esmeAddress) tlvs=\(self.tlvs)" }
}
