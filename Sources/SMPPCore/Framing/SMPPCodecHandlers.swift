public import NIOCore

/// What the inbound decoder passes on: a PDU, or a PDU that was framed correctly but could not be
/// read — the session answers it (`SMPPDecodingError.replyPacket`) and carries on.
/// 17 bytes (a packet is 16, its PDU one pointer; the rare decoding error is boxed): it fits
/// `NIOAny`'s inline storage, so passing it down a pipeline neither allocates nor copies a PDU.
public enum SMPPInbound: Hashable, Sendable {
    case packet(SMPPPacket)
    indirect case malformed(SMPPDecodingError)
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

/// Frames and decodes PDUs in a pipeline: what `ByteToMessageHandler(SMPPMessageDecoder())` does,
/// as a plain final class. NIO's generic handler is not specialised for this decoder across
/// modules, so every PDU paid for generic-metadata lookups and dynamic casts (`NIOAny` wrapping);
/// here each call is concrete. Bytes of a PDU not yet whole wait for the next read.
///
/// A framing failure is passed to `errorCaught` (the session answers with its generic_nack and
/// closes) and nothing more is read; any other decoding failure goes on as `.malformed`.
public final class SMPPFrameDecoder: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = SMPPInbound

    /// The framing and decoding itself (called directly: a concrete call, no generic handler).
    var decoder: SMPPMessageDecoder
    /// The start of a PDU not yet whole.
    @exclusivity(unchecked) var pending: ByteBuffer?
    @exclusivity(unchecked) var failed = false

    public init(framing: SMPPFraming = SMPPFraming()) { self.decoder = SMPPMessageDecoder(framing: framing) }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.failed else { return }
        var buffer = self.unwrapInboundIn(data)
        if var pending = self.pending {
            self.pending = nil  // uniquely referenced while appending
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        while true {
            let inbound: SMPPInbound
            do {
                guard let next = try self.decoder.decode(buffer: &buffer) else { break }
                inbound = next
            } catch {
                self.failed = true
                context.fireErrorCaught(error)
                return
            }
            context.fireChannelRead(self.wrapInboundOut(inbound))
            if self.failed { return }
        }
        if buffer.readableBytes > 0 {
            if buffer.readerIndex > 16_384 { buffer.discardReadBytes() }
            self.pending = buffer
        }
    }
}

@available(*, unavailable)
extension SMPPFrameDecoder: Sendable {}
