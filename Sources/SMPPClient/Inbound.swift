public import NIOCore
public import SMPPCore

/// What an SMSC sends a bound receiver or transceiver, already acknowledged (deliver_sm_resp /
/// data_sm_resp) by the client.
public enum InboundMessage: Sendable {
    /// A delivery receipt (or intermediate notification) for a message this ESME submitted.
    case receipt(SMPPReceipt)
    /// A mobile-originated message; concatenated parts are put back together first.
    case message(SMPPMobileOriginated)
}

/// The inbound messages of a connection, in arrival order; ends when the connection closes.
///
/// Messages come in batches — those read from one socket read — so a busy receiver wakes its
/// consumer once per read, not once per message. Iterate it message by message, or take whole
/// batches from `batches`.
public struct InboundMessages: AsyncSequence, Sendable {
    public typealias Element = InboundMessage
    /// The same messages, a batch per socket read.
    public let batches: AsyncStream<[InboundMessage]>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<[InboundMessage]>.AsyncIterator
        var current: [InboundMessage] = []
        var index = 0

        public mutating func next() async -> InboundMessage? {
            if self.index < self.current.count {
                defer { self.index += 1 }
                return self.current[self.index]
            }
            while let batch = await self.base.next() {
                guard !batch.isEmpty else { continue }
                self.current = batch
                self.index = 1
                return batch[0]
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: self.batches.makeAsyncIterator()) }
}

/// A delivery receipt: deliver_sm/data_sm with esm_class 0x04 (or 0x20), read from the TLVs
/// (receipted_message_id, message_state) where present, else from the Appendix B text.
public struct SMPPReceipt: Sendable, CustomStringConvertible {
    /// The SMSC's id of the submitted message, as the receipt writes it (see `MessageIDCorrelator`).
    public var messageID: String
    /// The state the receipt reports, if it could be read.
    public var state: MessageState?
    /// The parsed receipt text, when it has one.
    public var text: DeliveryReceipt?
    public var networkErrorCode: NetworkErrorCode?
    /// The handset that received the message (the receipt's source_addr).
    public var recipient: SMPPAddress
    /// The sender the message was submitted from (the receipt's destination_addr).
    public var sender: SMPPAddress
    /// An intermediate notification (esm_class 0x20) rather than a final receipt.
    public var isIntermediate: Bool
    /// Set by `SMPPBindPool`: the message this receipt is for, when it was sent through the pool.
    public var submission: Submission?

    /// Which submitted message (and part) a receipt reports on.
    public struct Submission: Sendable, Hashable {
        /// The caller's reference given to `send` (`TextMessage.reference`), if any.
        public var reference: String?
        /// The SMSC's id as its submit_sm_resp spelled it.
        public var messageID: String
        /// 1-based part, and how many parts the message had.
        public var part: Int
        public var parts: Int

        public init(reference: String?, messageID: String, part: Int = 1, parts: Int = 1) {
            self.reference = reference
            self.messageID = messageID
            self.part = part
            self.parts = parts
        }
    }

    /// Reads a receipt from deliver_sm/data_sm fields; `nil` when it is not a receipt or names no id.
    public init?(esmClass: ESMClass, source: SMPPAddress, destination: SMPPAddress, payload: ByteBuffer, tlvs: TLVList) {
        guard esmClass.isReceipt else { return nil }
        let parsed = DeliveryReceipt.parse(payload)
        guard let id = tlvs.receiptedMessageID ?? parsed?.id, !id.isEmpty else { return nil }
        self.messageID = id
        self.state = tlvs.messageState ?? parsed?.state
        self.text = parsed
        self.networkErrorCode = tlvs.networkErrorCode
        self.recipient = source
        self.sender = destination
        self.isIntermediate = esmClass.messageType == .intermediateDeliveryNotification
        self.submission = nil
    }

    public var description: String {
        "receipt id=\(self.messageID) state=\(self.state.map { "\($0)" } ?? "?") recipient=\(self.recipient.address)"
    }
}

/// A mobile-originated (MO) message.
public struct SMPPMobileOriginated: Sendable, CustomStringConvertible {
    public var source: SMPPAddress
    public var destination: SMPPAddress
    public var dataCoding: DataCoding
    /// The message octets without any UDH, all parts joined.
    public var content: ByteBuffer
    /// The text, when the data_coding is a text alphabet that decodes.
    public var text: String?
    /// How many PDUs carried it (1 unless concatenated).
    public var parts: Int
    public var tlvs: TLVList

    public init(source: SMPPAddress, destination: SMPPAddress, dataCoding: DataCoding, content: ByteBuffer, parts: Int, tlvs: TLVList) {
        self.source = source
        self.destination = destination
        self.dataCoding = dataCoding
        self.content = content
        self.text = SMSText.decode(content, dataCoding: dataCoding)
        self.parts = parts
        self.tlvs = tlvs
    }

    public var description: String {
        "MO from=\(self.source.address) to=\(self.destination.address) parts=\(self.parts) octets=\(self.content.readableBytes)"
    }
}
