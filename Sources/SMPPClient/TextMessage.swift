import NIOCore
public import SMPPCore

/// A text to send as one or more submit_sm: the encoding is chosen (GSM 03.38 when every
/// character has a code, else UCS-2) and long texts are split into concatenated parts.
public struct TextMessage: Sendable {
    public var text: String
    public var source: SMPPAddress
    public var destination: SMPPAddress
    public var registeredDelivery: RegisteredDelivery
    /// How the parts of a long text are tied together (default: 8-bit UDH with a random reference).
    public var concatenation: Concatenation?
    /// Force an alphabet; `nil` picks the cheapest that can carry the text.
    public var alphabet: SMSAlphabet?
    public var serviceType: String
    public var validityPeriod: SMPPTime?
    public var tlvs: TLVList
    /// Yours: `SMPPBindPool` puts it on this message's receipts (`SMPPReceipt.submission`).
    public var reference: String?

    public init(
        _ text: String, from source: SMPPAddress, to destination: SMPPAddress, registeredDelivery: RegisteredDelivery = .receipt,
        concatenation: Concatenation? = nil, alphabet: SMSAlphabet? = nil, serviceType: String = "", validityPeriod: SMPPTime? = nil,
        tlvs: TLVList = [], reference: String? = nil
    ) {
        self.reference = reference
        self.text = text
        self.source = source
        self.destination = destination
        self.registeredDelivery = registeredDelivery
        self.concatenation = concatenation
        self.alphabet = alphabet
        self.serviceType = serviceType
        self.validityPeriod = validityPeriod
        self.tlvs = tlvs
    }

    /// The submit_sm PDUs, in part order.
    public func submits() throws(SMPPClientError) -> [SubmitSM] {
        guard let encoded = EncodedText(self.text, alphabet: self.alphabet) else {
            throw SMPPClientError(.invalidMessage("the text cannot be written in \(self.alphabet.map { "\($0)" } ?? "any SMS alphabet")"))
        }
        let segmented: SegmentedMessage
        do {
            segmented = try encoded.split(self.concatenation ?? .udh8(reference: UInt8.random(in: 0...255)))
        } catch {
            throw SMPPClientError(.invalidMessage(error.description))
        }
        return segmented.parts.map { part in
            var tlvs = self.tlvs
            for tlv in part.tlvs { tlvs.append(tlv) }
            return SubmitSM(
                serviceType: self.serviceType, source: self.source, destination: self.destination,
                esmClass: ESMClass(udhi: part.udhi), validityPeriod: self.validityPeriod, registeredDelivery: self.registeredDelivery,
                dataCoding: segmented.dataCoding, shortMessage: part.shortMessage, tlvs: tlvs)
        }
    }
}

/// What `send` returns: the SMSC's id for every part, in order.
public struct SentMessage: Sendable, Hashable {
    public var messageIDs: [String]
    public var parts: Int { self.messageIDs.count }
}

extension SMPPConnection {
    /// Encodes, splits and submits a text; returns every part's message id. A part the SMSC
    /// rejects throws `.rejected(status)` (parts already accepted stay accepted).
    public func send(_ message: TextMessage) async throws(SMPPClientError) -> SentMessage {
        var ids: [String] = []
        for submit in try message.submits() {
            let reply = try await self.submit(submit)
            guard reply.isOK else { throw SMPPClientError(.rejected(reply.status)) }
            ids.append(reply.messageID)
        }
        return SentMessage(messageIDs: ids)
    }

    /// `send(TextMessage(text, from:, to:))` with international/ISDN numbers (alphanumeric senders
    /// when `from` has letters).
    public func send(text: String, from: String, to: String, registeredDelivery: RegisteredDelivery = .receipt) async throws(SMPPClientError) -> SentMessage {
        try await self.send(TextMessage(text, from: .sender(from), to: .recipient(to), registeredDelivery: registeredDelivery))
    }
}

extension SMPPAddress {
    /// A sender: alphanumeric (TON 5) when it has letters, else an international number.
    public static func sender(_ address: String) -> SMPPAddress {
        address.contains(where: \.isLetter)
            ? SMPPAddress(ton: .alphanumeric, npi: .unknown, address)
            : .recipient(address)
    }

    /// A handset number: international/ISDN without a leading "+".
    public static func recipient(_ address: String) -> SMPPAddress {
        SMPPAddress(ton: .international, npi: .isdn, address.hasPrefix("+") ? String(address.dropFirst()) : address)
    }
}
