import NIOConcurrencyHelpers
import NIOCore
import SMPPCore
import SMPPSession

/// Takes the SMSC's deliver_sm and data_sm (which the session has acknowledged), turns them into `InboundMessage` values and puts
/// concatenated MO messages back together. Sits after `SMPPSessionHandler`.
final class SMPPInboundHandler: ChannelInboundHandler {
    typealias InboundIn = SessionInbound
    typealias OutboundOut = SessionOutbound

    struct Conversation: Hashable, Sendable {
        var source: String
        var destination: String
    }

    private let inbound: AsyncStream<[InboundMessage]>.Continuation
    /// What this read brought, handed over at `channelReadComplete`.
    @exclusivity(unchecked) private var pending: [InboundMessage] = []
    @exclusivity(unchecked) private var reassembler = ConcatenationReassembler<Conversation>(maximumPending: 10_000)
    @exclusivity(unchecked) private var tick: UInt64 = 0

    /// The first error the pipeline reported (a TLS handshake failure, say), for `connect` to name.
    let firstError: NIOLockedValueBox<(any Error)?>

    /// `Configuration.inboundHandler`: called instead of yielding to `inbound`.
    private let handler: (@Sendable ([InboundMessage]) -> Void)?

    init(
        inbound: AsyncStream<[InboundMessage]>.Continuation, handler: (@Sendable ([InboundMessage]) -> Void)? = nil,
        firstError: NIOLockedValueBox<(any Error)?> = NIOLockedValueBox(nil)
    ) {
        self.inbound = inbound
        self.handler = handler
        self.firstError = firstError
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.firstError.withLockedValue { if $0 == nil { $0 = error } }
        context.close(promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.handOver()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.handOver()
        self.inbound.finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.handOver()
        self.inbound.finish()
    }

    private func handOver() {
        guard !self.pending.isEmpty else { return }
        if let handler = self.handler { handler(self.pending) } else { self.inbound.yield(self.pending) }
        self.pending.removeAll(keepingCapacity: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .request(let packet) = self.unwrapInboundIn(data) else { return }
        switch packet.pdu {
        // deliver_sm and data_sm are acknowledged by the session (`acknowledgesDeliveries`).
        case .deliverSM(let message):
            self.received(esmClass: message.esmClass, source: message.source, destination: message.destination,
                          dataCoding: message.dataCoding, shortMessage: message.shortMessage, tlvs: message.tlvs)
        case .dataSM(let message):
            self.received(esmClass: message.esmClass, source: message.source, destination: message.destination,
                          dataCoding: message.dataCoding, shortMessage: ByteBuffer(), tlvs: message.tlvs)
        case .alertNotification:
            break  // no response exists for alert_notification
        default:
            // Anything else the session let through (outbind on an open session) has a plain response.
            self.answer(SMPPPacket.response(to: packet.commandID, sequenceNumber: packet.sequenceNumber, status: .ok), context: context)
        }
    }

    private func answer(_ response: SMPPPacket, context: ChannelHandlerContext) {
        context.write(self.wrapOutboundOut(.response(response)), promise: nil)
    }

    private func received(
        esmClass: ESMClass, source: SMPPAddress, destination: SMPPAddress, dataCoding: DataCoding, shortMessage: ByteBuffer,
        tlvs: TLVList
    ) {
        let payload = tlvs.messagePayload ?? shortMessage
        if let receipt = SMPPReceipt(esmClass: esmClass, source: source, destination: destination, payload: payload, tlvs: tlvs) {
            self.pending.append(.receipt(receipt))
            return
        }
        guard let part = ConcatenationInfo(shortMessage: payload, esmClass: esmClass, tlvs: tlvs), part.total > 1 else {
            let content = esmClass.udhi ? Self.stripUDH(payload) : payload
            self.pending.append(.message(SMPPMobileOriginated(
                source: source, destination: destination, dataCoding: dataCoding, content: content, parts: 1, tlvs: tlvs)))
            return
        }
        self.tick += 1
        switch self.reassembler.add(part, key: Conversation(source: source.address, destination: destination.address), now: self.tick) {
        case .complete(let parts):
            var content = ByteBuffer()
            for var piece in parts { content.writeBuffer(&piece) }
            self.pending.append(.message(SMPPMobileOriginated(
                source: source, destination: destination, dataCoding: dataCoding, content: content, parts: parts.count, tlvs: tlvs)))
        case .waiting, .duplicate:
            break
        case .invalid:
            // A part that names no place in its message: deliver it alone rather than lose it.
            self.pending.append(.message(SMPPMobileOriginated(
                source: source, destination: destination, dataCoding: dataCoding, content: part.content, parts: 1, tlvs: tlvs)))
        }
    }

    /// short_message without its User Data Header (first octet = UDH length).
    static func stripUDH(_ buffer: ByteBuffer) -> ByteBuffer {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), buffer.readableBytes > Int(length) else {
            return buffer
        }
        return buffer.getSlice(at: buffer.readerIndex + 1 + Int(length), length: buffer.readableBytes - 1 - Int(length)) ?? buffer
    }
}
