public import NIOCore

/// What the inbound decoder passes on: a PDU, or a PDU that was framed correctly but could not be
/// read — the session answers it (`SMPPDecodingError.replyPacket`) and carries on.
/// `indirect`: one pointer, so passing it through a NIO pipeline (boxed in `NIOAny`) copies a
/// reference rather than a whole PDU.
public indirect enum SMPPInbound: Hashable, Sendable {
    case packet(SMPPPacket)
    case malformed(SMPPDecodingError)
}

/// A `NIOSingleStepByteToMessageDecoder` that frames and decodes PDUs.
///
/// A framing failure is thrown (the stream is lost: the handler answers with `error.replyPacket`
/// and closes); any other decoding failure is passed on as `.malformed` so that one bad PDU costs
/// one error response, not the session.
public struct SMPPMessageDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = SMPPInbound

    public var framing: SMPPFraming

    public init(framing: SMPPFraming = SMPPFraming()) { self.framing = framing }

    public mutating func decode(buffer: inout ByteBuffer) throws -> SMPPInbound? {
        guard let frame = try self.framing.nextFrame(from: &buffer) else { return nil }
        do {
            return .packet(try SMPPPacket.decode(frame: frame))
        } catch {
            return .malformed(error)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SMPPInbound? {
        try self.decode(buffer: &buffer)
    }
}

/// A `MessageToByteEncoder` that writes PDUs; a PDU breaking a field limit fails its write.
public struct SMPPMessageEncoder: MessageToByteEncoder {
    public typealias OutboundIn = SMPPPacket

    public init() {}

    public func encode(data: SMPPPacket, out: inout ByteBuffer) throws {
        try data.encode(into: &out)
    }
}
