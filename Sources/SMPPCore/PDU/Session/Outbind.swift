public import NIOCore

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
    static func decode(from buffer: inout ByteBuffer) throws(BodyError) -> Outbind {
        let systemID = try buffer.readSMPPCOctetString(.systemID)
        return Outbind(systemID: systemID, password: try buffer.readSMPPCOctetString(.password))
    }

    @usableFromInline
    func encode(into buffer: inout ByteBuffer) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.systemID, .systemID)
        try buffer.writeSMPPCOctetString(self.password, .password)
    }

    public var description: String { "system_id=\(self.systemID) password=********" }
}
