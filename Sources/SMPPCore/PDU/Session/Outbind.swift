/// outbind (SMPP v3.4 §4.1.7): the SMSC asks an ESME to bind_receiver; it has no response.
public struct Outbind: PDUBody, CustomStringConvertible {
    public var systemID: String
    /// Never printed.
    public var password: String

    public init(systemID: String, password: String) {
        self.systemID = systemID
        self.password = password
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> Outbind {
        let systemID = try buffer.readSMPPCOctetString(.systemID)
        return Outbind(systemID: systemID, password: try buffer.readSMPPCOctetString(.password))
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.systemID.utf8.count + self.password.utf8.count + 2
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.systemID, .systemID)
        try buffer.writeSMPPCOctetString(self.password, .password)
    }

    public var description: String { "system_id=\(self.systemID) password=********" }
}
