/// query_sm (SMPP v3.4 §4.8.1): the state of a previously submitted message.
public struct QuerySM: PDUBody, CustomStringConvertible {
    public var messageID: String
    /// The source address of the original submit_sm.
    public var source: SMPPAddress

    public init(messageID: String, source: SMPPAddress = SMPPAddress()) {
        self.messageID = messageID
        self.source = source
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> QuerySM {
        let messageID = try buffer.readSMPPCOctetString(.messageID)
        return QuerySM(messageID: messageID, source: try buffer.readSMPPAddress(.sourceAddr))
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.messageID.utf8.count + 1 + self.source.encodedLengthBound
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.messageID, .messageID)
        try buffer.writeSMPPAddress(self.source, .sourceAddr)
    }

    public var description: String { "message_id=\(self.messageID) source=\(self.source)" }
}
