/// query_sm_resp (SMPP v3.4 §4.8.2): message_id, final_date (empty while not final),
/// message_state and a network error_code.
public struct QuerySMResp: PDUBody, CustomStringConvertible {
    public var messageID: String
    public var finalDate: SMPPTime?
    public var messageState: MessageState
    public var errorCode: UInt8

    public init(messageID: String = "", finalDate: SMPPTime? = nil, messageState: MessageState = .unknown, errorCode: UInt8 = 0) {
        self.messageID = messageID
        self.finalDate = finalDate
        self.messageState = messageState
        self.errorCode = errorCode
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> QuerySMResp {
        let messageID = try buffer.readSMPPCOctetString(.messageID)
        let finalDate = try buffer.readSMPPTime(.finalDate)
        let state = try buffer.readSMPPInteger("message_state", as: UInt8.self)
        let error = try buffer.readSMPPInteger("error_code", as: UInt8.self)
        return QuerySMResp(messageID: messageID, finalDate: finalDate, messageState: MessageState(rawValue: state), errorCode: error)
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.messageID.utf8.count + 1 + 17 + 2
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.messageID, .messageID)
        try buffer.writeSMPPTime(self.finalDate, .finalDate)
        buffer.writeMultipleIntegers(self.messageState.rawValue, self.errorCode)
    }

    public var description: String {
        "message_id=\(self.messageID) final_date=\(self.finalDate?.smppString ?? "") state=\(self.messageState) error=\(self.errorCode)"
    }
}
