/// bind_transmitter_resp, bind_receiver_resp, bind_transceiver_resp (SMPP v3.4 §4.1.2, §4.1.4,
/// §4.1.6): the SMSC's system_id and, from a v3.4 SMSC, sc_interface_version.
///
/// On an error status the body is not sent (16 octets); a lone NUL body, as many peers send, is
/// accepted on decode and read as an empty system_id.
public struct BindResp: PDUBody, CustomStringConvertible {
    public var systemID: String
    public var tlvs: TLVList

    public init(systemID: String = "", tlvs: TLVList = []) {
        self.systemID = systemID
        self.tlvs = tlvs
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> BindResp {
        let systemID = try buffer.readSMPPCOctetString(.systemID)
        return BindResp(systemID: systemID, tlvs: try buffer.readSMPPTLVs())
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.systemID.utf8.count + 1 + self.tlvs.encodedLength
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.systemID, .systemID)
        try buffer.writeSMPPTLVs(self.tlvs)
    }

    public var description: String { "system_id=\(self.systemID) tlvs=\(self.tlvs)" }
}
