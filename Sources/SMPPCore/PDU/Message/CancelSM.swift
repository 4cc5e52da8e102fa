/// cancel_sm (SMPP v3.4 §4.9.1): cancel one pending message by id, or all of a source's messages
/// to a destination (and service_type) when message_id is empty.
public struct CancelSM: PDUBody, CustomStringConvertible {
    public var serviceType: String
    public var messageID: String
    public var source: SMPPAddress
    public var destination: SMPPAddress

    public init(serviceType: String = "", messageID: String, source: SMPPAddress, destination: SMPPAddress = SMPPAddress()) {
        self.serviceType = serviceType
        self.messageID = messageID
        self.source = source
        self.destination = destination
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> CancelSM {
        let serviceType = try buffer.readSMPPCOctetString(.serviceType)
        let messageID = try buffer.readSMPPCOctetString(.messageID)
        let source = try buffer.readSMPPAddress(.sourceAddr)
        let destination = try buffer.readSMPPAddress(.destinationAddr)
        return CancelSM(serviceType: serviceType, messageID: messageID, source: source, destination: destination)
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.serviceType.utf8.count + self.messageID.utf8.count + 2 + self.source.encodedLengthBound + self.destination.encodedLengthBound
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.serviceType, .serviceType)
        try buffer.writeSMPPCOctetString(self.messageID, .messageID)
        try buffer.writeSMPPAddress(self.source, .sourceAddr)
        try buffer.writeSMPPAddress(self.destination, .destinationAddr)
    }

    public var description: String {
        "service_type=\(self.serviceType) message_id=\(self.messageID) source=\(self.source) destination=\(self.destination)"
    }
}
