/// submit_sm_resp (§4.4.2) and deliver_sm_resp (§4.6.2): a message_id (≤ 64 characters).
///
/// In deliver_sm_resp the message_id is unused and sent empty. On an error status a submit_sm_resp
/// body is not returned (16 octets); a lone-NUL body from peers that always write it is accepted.
public struct MessageIDResponse: PDUBody, CustomStringConvertible {
    public var messageID: String

    @inlinable
    public init(messageID: String = "") { self.messageID = messageID }

    @inlinable
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> MessageIDResponse {
        MessageIDResponse(messageID: try buffer.readSMPPCOctetString(.messageID))
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.messageID.utf8.count + 1
    }

    @inlinable
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.messageID, .messageID)
    }

    public var description: String { "message_id=\(self.messageID)" }
}
