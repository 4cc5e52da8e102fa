/// data_sm_resp (SMPP v3.4 §4.7.2): a message_id and TLVs (delivery_failure_reason,
/// network_error_code, additional_status_info_text, dpf_result) — the only v3.4 response that
/// carries TLVs besides the bind responses.
public struct DataSMResp: PDUBody, CustomStringConvertible {
    public var messageID: String
    public var tlvs: TLVList

    public init(messageID: String = "", tlvs: TLVList = []) {
        self.messageID = messageID
        self.tlvs = tlvs
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> DataSMResp {
        let messageID = try buffer.readSMPPCOctetString(.messageID)
        return DataSMResp(messageID: messageID, tlvs: try buffer.readSMPPTLVs())
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.messageID.utf8.count + 1 + self.tlvs.encodedLength
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.messageID, .messageID)
        try buffer.writeSMPPTLVs(self.tlvs)
    }

    public var description: String { "message_id=\(self.messageID) tlvs=\(self.tlvs)" }
}
