public import NIOCore

/// One PDU with its header: what travels on the wire (SMPP v3.4 §3.2).
///
/// command_length is computed when encoding; command_id comes from the `pdu` case.
public struct SMPPPacket: Hashable, Sendable, CustomStringConvertible {
    /// 1…0x7FFFFFFF (§5.1.4); a response repeats its request's.
    public var sequenceNumber: UInt32
    /// NULL (0) in requests; the result in responses.
    public var status: CommandStatus
    public var pdu: PDU

    /// The length of the SMPP header (§3.2): command_length, command_id, command_status, sequence_number.
    public static let headerLength = 16

    @inlinable
    public init(sequenceNumber: UInt32, status: CommandStatus = .ok, pdu: PDU) {
        self.sequenceNumber = sequenceNumber
        self.status = status
        self.pdu = pdu
    }

    @inlinable
    public var commandID: CommandID { self.pdu.commandID }

    /// Decodes one whole PDU: `frame` holds exactly command_length octets, as `SMPPFraming` cuts them.
    ///
    /// The PDU's values (short_message, TLV values) are slices of `frame`, not copies.
    @inlinable
    public static func decode(frame: ByteBuffer) throws(SMPPDecodingError) -> SMPPPacket {
        var body = frame
        guard let (length, rawID, rawStatus, sequence) = body.readMultipleIntegers(as: (UInt32, UInt32, UInt32, UInt32).self)
        else {
            throw SMPPDecodingError(.commandLengthTooShort, header: nil, frame: frame)
        }
        let header = SMPPHeader(commandLength: length, commandID: CommandID(rawValue: rawID), status: CommandStatus(rawValue: rawStatus), sequenceNumber: sequence)
        guard Int(length) == frame.readableBytes else {
            throw SMPPDecodingError(.commandLengthMismatch, header: header, frame: frame)
        }
        do {
            let pdu = try PDU.decodeBody(header.commandID, from: body)
            return SMPPPacket(sequenceNumber: sequence, status: header.status, pdu: pdu)
        } catch {
            switch error {
            case .unknownCommand:
                throw SMPPDecodingError(.unknownCommandID, header: header, frame: frame)
            case .body(.invalidLength(let field)):
                throw SMPPDecodingError(.invalidBodyLength, header: header, frame: frame, field: field)
            case .body(.invalidField(let field, let status)):
                throw SMPPDecodingError(.invalidField, header: header, frame: frame, field: field, status: status)
            }
        }
    }

    /// Appends the PDU to `buffer`: header, body, then back-patches command_length — in one
    /// write into space reserved from the body's length bound. Checks every field limit; on
    /// failure nothing is written.
    @inlinable
    public func encode(into buffer: inout ByteBuffer) throws(SMPPEncodingError) {
        let bound = SMPPPacket.headerLength + self.pdu.encodedBodyLengthBound(status: self.status)
        var failure: BodyError?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { bytes in
            var writer = SMPPWriter(bytes: bytes)
            writer.writeInteger(UInt32(0))
            writer.writeInteger(self.commandID.rawValue)
            writer.writeInteger(self.status.rawValue)
            writer.writeInteger(self.sequenceNumber)
            do throws(BodyError) {
                try self.pdu.encodeBody(into: &writer, status: self.status)
            } catch {
                failure = error
                return 0
            }
            var length = UInt32(writer.offset).bigEndian
            withUnsafeBytes(of: &length) { bytes.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 4) }
            return writer.offset
        }
        if let failure {
            let status: CommandStatus
            if case .invalidField(_, let fieldStatus) = failure { status = fieldStatus } else { status = .invalidCommandLength }
            throw SMPPEncodingError(commandID: self.commandID, sequenceNumber: self.sequenceNumber, field: failure.field, status: status)
        }
    }

    /// The PDU as a new buffer.
    public func encoded() throws(SMPPEncodingError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try self.encode(into: &buffer)
        return buffer
    }

    public var description: String {
        let body: String
        switch self.pdu {
        case .bindReceiver(let b), .bindTransmitter(let b), .bindTransceiver(let b): body = b.description
        case .bindReceiverResp(let b), .bindTransmitterResp(let b), .bindTransceiverResp(let b): body = b.description
        case .submitSM(let b), .deliverSM(let b): body = b.description
        case .submitSMResp(let b), .deliverSMResp(let b): body = b.description
        case .querySM(let b): body = b.description
        case .querySMResp(let b): body = b.description
        case .replaceSM(let b): body = b.description
        case .cancelSM(let b): body = b.description
        case .outbind(let b): body = b.description
        case .submitMulti(let b): body = b.description
        case .submitMultiResp(let b): body = b.description
        case .alertNotification(let b): body = b.description
        case .dataSM(let b): body = b.description
        case .dataSMResp(let b): body = b.description
        case .genericNack, .unbind, .unbindResp, .enquireLink, .enquireLinkResp, .cancelSMResp, .replaceSMResp: body = ""
        }
        return "\(self.commandID.name) seq=\(self.sequenceNumber) status=\(self.status.name)" + (body.isEmpty ? "" : " " + body)
    }
}

extension SMPPPacket {
    /// The response to request `commandID` that carries only `status`: the command's own `_resp`
    /// with an empty body (what SMPP sends on errors), or generic_nack for a PDU that has no
    /// response (outbind, alert_notification) or an unknown command.
    public static func response(to commandID: CommandID, sequenceNumber: UInt32, status: CommandStatus) -> SMPPPacket {
        let pdu = PDU.emptyResponse(commandID.response) ?? PDU.bodilessResponse(commandID.response) ?? .genericNack
        return SMPPPacket(sequenceNumber: sequenceNumber, status: status, pdu: pdu)
    }
}

/// The 16-octet header as read from the wire, before the body is understood.
public struct SMPPHeader: Hashable, Sendable {
    public var commandLength: UInt32
    public var commandID: CommandID
    public var status: CommandStatus
    public var sequenceNumber: UInt32

    @inlinable
    public init(commandLength: UInt32, commandID: CommandID, status: CommandStatus, sequenceNumber: UInt32) {
        self.commandLength = commandLength
        self.commandID = commandID
        self.status = status
        self.sequenceNumber = sequenceNumber
    }
}
