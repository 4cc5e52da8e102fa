public import NIOCore

/// Cuts a byte stream into PDUs by command_length (SMPP v3.4 §3.2).
///
/// The length is checked from the header alone, before the body is buffered: below 16 or above
/// `maximumCommandLength` is a framing failure (answer `generic_nack` ESME_RINVCMDLEN and close).
/// Any split of the stream works: byte by byte, several PDUs per read, a response coalesced with
/// the next request.
public struct SMPPFraming: Sendable {
    /// SMPP sets no maximum; 64 KiB is ample for a 64 KiB message_payload and bounds memory.
    public static let defaultMaximumCommandLength = 65_536

    public var maximumCommandLength: Int

    public init(maximumCommandLength: Int = SMPPFraming.defaultMaximumCommandLength) {
        precondition(maximumCommandLength >= SMPPPacket.headerLength, "a PDU needs at least its 16-octet header")
        self.maximumCommandLength = maximumCommandLength
    }

    /// The next whole PDU's octets, or `nil` until enough have arrived. The reader index moves only
    /// when a frame is returned.
    @inlinable
    public func nextFrame(from buffer: inout ByteBuffer) throws(SMPPDecodingError) -> ByteBuffer? {
        guard let (length, id, status, sequence) = buffer.getMultipleIntegers(
            at: buffer.readerIndex, as: (UInt32, UInt32, UInt32, UInt32).self)
        else { return nil }
        guard length >= SMPPPacket.headerLength, length <= self.maximumCommandLength else {
            let header = SMPPHeader(
                commandLength: length, commandID: CommandID(rawValue: id), status: CommandStatus(rawValue: status),
                sequenceNumber: sequence)
            let code: SMPPDecodingError.Code = length < SMPPPacket.headerLength ? .commandLengthTooShort : .commandLengthTooLong
            throw SMPPDecodingError(code, header: header, frame: buffer.getSlice(at: buffer.readerIndex, length: 16)!)
        }
        return buffer.readSlice(length: Int(length))
    }
}
