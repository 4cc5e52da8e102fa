/// submit_multi_resp (SMPP v3.4 §4.5.2): the message_id and the destinations that failed, each
/// with a 4-octet error_status_code.
public struct SubmitMultiResp: PDUBody, CustomStringConvertible {
    public struct Failure: Hashable, Sendable {
        public var destination: SMPPAddress
        public var status: CommandStatus

        public init(destination: SMPPAddress, status: CommandStatus) {
            self.destination = destination
            self.status = status
        }
    }

    public var messageID: String
    /// no_unsuccess and unsuccess_sme; at most 255.
    public var unsuccessful: [Failure]

    public init(messageID: String = "", unsuccessful: [Failure] = []) {
        self.messageID = messageID
        self.unsuccessful = unsuccessful
    }

    @usableFromInline
    static func decode(from buffer: inout SMPPReader) throws(BodyError) -> SubmitMultiResp {
        let messageID = try buffer.readSMPPCOctetString(.messageID)
        let count = try buffer.readSMPPInteger("no_unsuccess", as: UInt8.self)
        var failures: [Failure] = []
        failures.reserveCapacity(Int(count))
        for _ in 0..<count {
            let address = try buffer.readSMPPAddress(.destinationAddr)
            let status = try buffer.readSMPPInteger("error_status_code", as: UInt32.self)
            failures.append(Failure(destination: address, status: CommandStatus(rawValue: status)))
        }
        return SubmitMultiResp(messageID: messageID, unsuccessful: failures)
    }

    /// At most the octets `encode` writes.
    @inlinable
    var encodedLengthBound: Int {
        self.messageID.utf8.count + 2 + self.unsuccessful.reduce(0) { $0 + $1.destination.encodedLengthBound + 4 }
    }

    @usableFromInline
    func encode(into buffer: inout SMPPWriter) throws(BodyError) {
        try buffer.writeSMPPCOctetString(self.messageID, .messageID)
        guard self.unsuccessful.count <= 255 else {
            throw .invalidField(field: "no_unsuccess", status: .invalidNumberOfDestinations)
        }
        buffer.writeInteger(UInt8(self.unsuccessful.count))
        for failure in self.unsuccessful {
            try buffer.writeSMPPAddress(failure.destination, .destinationAddr)
            buffer.writeInteger(failure.status.rawValue)
        }
    }

    public var description: String {
        "message_id=\(self.messageID) unsuccessful=\(self.unsuccessful.map { "\($0.destination):\($0.status)" })"
    }
}
