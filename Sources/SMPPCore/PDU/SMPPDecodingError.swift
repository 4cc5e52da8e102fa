public import NIOCore

/// A PDU that could not be read, with everything needed to answer the peer and to log the evidence.
///
/// `reply` says what SMPP v3.4 asks of the receiver: the command's own response with
/// `commandStatus` (a field broke its limit), a `generic_nack` (unknown command_id, or a body that
/// does not fit its layout — §4.3), or nothing (the PDU was itself a response). `closesSession` is
/// set when framing is lost (command_length below 16 or above the maximum): answer, then close.
public struct SMPPDecodingError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong. A struct so that codes can be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        @usableFromInline enum Base: Hashable, Sendable {
            case commandLengthTooShort, commandLengthTooLong, commandLengthMismatch, unknownCommandID, invalidBodyLength,
                invalidField
        }

        @usableFromInline let base: Base
        @usableFromInline init(_ base: Base) { self.base = base }

        /// command_length is below 16: framing is lost.
        public static let commandLengthTooShort = Code(.commandLengthTooShort)
        /// command_length is above the configured maximum: framing is lost; the body is not read.
        public static let commandLengthTooLong = Code(.commandLengthTooLong)
        /// The frame handed to the decoder is not command_length octets long.
        public static let commandLengthMismatch = Code(.commandLengthMismatch)
        /// command_id is not an SMPP v3.4 command.
        public static let unknownCommandID = Code(.unknownCommandID)
        /// The body does not fit the PDU's layout: a missing field, a C-Octet String without NUL,
        /// octets left over.
        public static let invalidBodyLength = Code(.invalidBodyLength)
        /// A field is present but breaks its limit (too long, out of range, bad TLV).
        public static let invalidField = Code(.invalidField)

        public var description: String {
            switch self.base {
            case .commandLengthTooShort: "command_length below 16"
            case .commandLengthTooLong: "command_length above the maximum"
            case .commandLengthMismatch: "frame length differs from command_length"
            case .unknownCommandID: "unknown command_id"
            case .invalidBodyLength: "body does not match the PDU layout"
            case .invalidField: "invalid field"
            }
        }
    }

    /// What the receiver should send back.
    public enum Reply: Hashable, Sendable {
        /// The command's own response (command_id | 0x80000000) with `commandStatus`.
        case commandResponse
        /// generic_nack with `commandStatus`.
        case genericNack
        /// Nothing: the malformed PDU was a response (or a PDU that has none).
        case none
    }

    public var code: Code
    /// The header as read; zeros where fewer than 16 octets were available.
    public var header: SMPPHeader
    /// The field at fault, by its SMPP name (`source_addr`, `sar_total_segments`, …).
    public var field: String?
    /// The status to answer with: ESME_RINVCMDLEN, ESME_RINVCMDID, or the field's own.
    public var commandStatus: CommandStatus
    /// The PDU's octets (for a length error, the header only).
    public var bytes: ByteBuffer

    public var commandID: CommandID { self.header.commandID }
    public var sequenceNumber: UInt32 { self.header.sequenceNumber }

    @usableFromInline
    init(_ code: Code, header: SMPPHeader?, frame: ByteBuffer, field: String? = nil, status: CommandStatus? = nil) {
        self.code = code
        self.header = header ?? SMPPHeader(commandLength: 0, commandID: CommandID(rawValue: 0), status: .ok, sequenceNumber: 0)
        self.field = field
        self.bytes = frame
        switch code.base {
        case .unknownCommandID: self.commandStatus = .invalidCommandID
        case .invalidField: self.commandStatus = status ?? .unknownError
        default: self.commandStatus = .invalidCommandLength
        }
    }

    /// Whether the stream can no longer be framed, so the session must close after answering.
    public var closesSession: Bool {
        self.code == .commandLengthTooShort || self.code == .commandLengthTooLong || self.code == .commandLengthMismatch
    }

    /// Responses are never answered (but an unknown command_id always is, §4.3); a request gets
    /// its own response when a field is at fault, else a generic_nack — outbind and
    /// alert_notification, which have no response PDU, always a generic_nack.
    public var reply: Reply {
        let id = self.header.commandID
        switch self.code.base {
        case .unknownCommandID, .commandLengthTooShort, .commandLengthTooLong, .commandLengthMismatch:
            return .genericNack
        case .invalidBodyLength:
            return id.isResponse ? .none : .genericNack
        case .invalidField:
            if id.isResponse { return .none }
            return id == .outbind || id == .alertNotification ? .genericNack : .commandResponse
        }
    }

    /// The PDU to send back, if any: the command's response (without body) or a generic_nack,
    /// with the offending sequence number.
    public var replyPacket: SMPPPacket? {
        switch self.reply {
        case .none:
            return nil
        case .genericNack:
            return SMPPPacket(sequenceNumber: self.sequenceNumber, status: self.commandStatus, pdu: .genericNack)
        case .commandResponse:
            return SMPPPacket.response(to: self.commandID, sequenceNumber: self.sequenceNumber, status: self.commandStatus)
        }
    }

    public var description: String {
        "SMPP decoding error: \(self.code) in \(self.commandID.name) seq=\(self.sequenceNumber)"
            + (self.field.map { " (\($0))" } ?? "") + " -> \(self.commandStatus.name)"
    }

    public var debugDescription: String {
        var hexBytes = ""
        for byte in self.bytes.readableBytesView.prefix(256) { hexBytes += hex(byte, width: 2) }
        return self.description + " command_length=\(self.header.commandLength) bytes=\(hexBytes)"
    }
}

extension PDU {
    @usableFromInline
    static func bodilessResponse(_ id: CommandID) -> PDU? {
        switch id {
        case .unbindResp: .unbindResp
        case .enquireLinkResp: .enquireLinkResp
        case .cancelSMResp: .cancelSMResp
        case .replaceSMResp: .replaceSMResp
        default: nil
        }
    }
}

/// A PDU that could not be encoded because a field breaks its SMPP limit. Nothing was written.
public struct SMPPEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var commandID: CommandID
    public var sequenceNumber: UInt32
    /// The field at fault, by its SMPP name.
    public var field: String
    /// The status an SMSC would answer such a PDU with (e.g. ESME_RINVSRCADR for a long source_addr).
    public var status: CommandStatus

    @usableFromInline
    init(commandID: CommandID, sequenceNumber: UInt32, field: String, status: CommandStatus) {
        self.commandID = commandID
        self.sequenceNumber = sequenceNumber
        self.field = field
        self.status = status
    }

    public var description: String {
        "cannot encode \(self.commandID.name) seq=\(self.sequenceNumber): \(self.field) is invalid (\(self.status.name))"
    }
}
