import NIOCore
import SMPPCore
import Synchronization

/// What a status change or an MO owes the customer, built as values: the stored status change
/// with its SMPP receipt (a `deliver_sm`), its webhook and its refund; an MO's delivery and
/// webhook. Pure but for the accounts it reads.
struct StatusEvents: Sendable {
    let accounts: AccountRegistry
    /// How long a receipt, MO or webhook waits for its customer.
    let deliveryExpiry: Duration
    /// Final statuses that give a message's price back.
    let refundOn: Set<MessageStatus>
    let receiptDates = ReceiptDateCache()

    func change(_ message: Message, _ status: MessageStatus, error: Int, at: Int64, intermediate: Bool = false) -> StatusChange {
        let account = self.accounts.account(id: message.accountID)
        // `sent` (ENROUTE) reaches the customer only as an intermediate notification, when asked for.
        let wanted =
            (account?.reports.smpp ?? true)
            && (intermediate || (status != .sent && message.registeredDelivery.wantsReceipt(delivered: status.isSuccess)))
        return StatusChange(
            messageID: message.id, status: status, errorCode: error, at: at,
            receipt: wanted ? self.receipt(for: message, status: status, error: error, at: at, intermediate: intermediate) : nil,
            webhook: self.statusWebhook(for: message, account: account, status: status, error: error, at: at),
            credit: message.price > 0 && self.refundOn.contains(status)
                ? Credit(messageID: message.id, accountID: message.accountID, amount: message.price) : nil)
    }

    /// The signed POST a status change owes: to the message's `callback_url`, else the
    /// account's webhook URL, else none (none either when the account's reports go to SMPP
    /// only). The body shows the message as `GET` would after it.
    func statusWebhook(for message: Message, account: Account?, status: MessageStatus, error: Int, at: Int64) -> Webhook? {
        guard account?.reports.webhook ?? true, let url = message.callbackURL ?? account?.webhookURL else { return nil }
        var changed = message
        changed.status = status
        changed.errorCode = error
        if status.isFinal { changed.doneAt = at }
        var json = JSONWriter(capacity: 512)
        json.beginObject()
        json.key("type")
        json.string(Webhook.Kind.status.rawValue)
        json.key("at")
        json.timestamp(at)
        json.key("message")
        changed.writeJSON(into: &json)
        json.endObject()
        return Webhook(
            accountID: message.accountID, kind: .status, url: url, body: json.bytes, createdAt: at,
            expiresAt: at + SubmitValidation.milliseconds(self.deliveryExpiry))
    }

    /// The deliver_sm that reports `status` to the customer: Appendix B text with our id, and
    /// receipted_message_id, message_state and (on error) network_error_code.
    func receipt(for message: Message, status: MessageStatus, error: Int, at: Int64, intermediate: Bool) -> Delivery {
        let state = status.messageState
        // One buffer holds the Appendix B text, then the receipted_message_id and message_state
        // values: the PDU's fields are slices of it (one allocation per receipt).
        var buffer = ByteBuffer()
        buffer.reserveCapacity(160)
        let id = message.id.hexOctets
        buffer.writeStaticString("id:")
        buffer.writeBytes(id)
        buffer.writeStaticString(state == .delivered ? " sub:001 dlvrd:001 submit date:" : " sub:001 dlvrd:000 submit date:")
        buffer.writeBytes(self.receiptDates.octets(milliseconds: message.submittedAt))
        buffer.writeStaticString(" done date:")
        buffer.writeBytes(self.receiptDates.octets(milliseconds: at))
        buffer.writeStaticString(" stat:")
        buffer.writeString(state.receiptStat)
        buffer.writeStaticString(" err:")
        let error3 = min(max(error, 0), 999)
        buffer.writeBytes([UInt8(48 + error3 / 100), UInt8(48 + error3 / 10 % 10), UInt8(48 + error3 % 10)])
        buffer.writeStaticString(" Text:")
        message.writeTextPrefix(20, into: &buffer)
        let textLength = buffer.readableBytes
        buffer.writeBytes(id)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(state.rawValue)
        var tlvs = TLVList()
        tlvs.append(TLV(tag: .receiptedMessageID, value: buffer.getSlice(at: textLength, length: id.count + 1)!))
        tlvs.append(TLV(tag: .messageState, value: buffer.getSlice(at: textLength + id.count + 1, length: 1)!))
        if error != 0 { tlvs.networkErrorCode = NetworkErrorCode(networkType: 3, errorCode: UInt16(clamping: error)) }
        let pdu = DeliverSM(
            source: message.destination, destination: message.source,
            esmClass: ESMClass(type: intermediate ? .intermediateDeliveryNotification : .smscDeliveryReceipt),
            shortMessage: buffer.getSlice(at: 0, length: textLength)!, tlvs: tlvs)
        return Delivery(
            accountID: message.accountID, kind: .receipt, messageID: message.id, deliverSM: pdu, createdAt: at,
            expiresAt: at + SubmitValidation.milliseconds(self.deliveryExpiry))
    }

    /// An inbound message from the simulated handset, for the account owning the number it goes
    /// to: a deliver_sm for its receivers and, when it has an MO webhook URL, a webhook.
    func mo(replyingTo message: Message, text: String, at: Int64) -> (Delivery, Webhook?) {
        let account = self.accounts.owner(of: message.source.address) ?? self.accounts.account(id: message.accountID)
        let accountID = account?.id ?? message.accountID
        let encoded = EncodedText(text) ?? EncodedText(binary: Array(text.utf8))
        let pdu = DeliverSM(
            source: message.destination, destination: message.source, dataCoding: encoded.alphabet.dataCoding,
            shortMessage: ByteBuffer(bytes: encoded.octets))
        let expiry = at + SubmitValidation.milliseconds(self.deliveryExpiry)
        let delivery = Delivery(accountID: accountID, kind: .mo, messageID: nil, deliverSM: pdu, createdAt: at, expiresAt: expiry)
        guard let url = account?.moWebhookURL else { return (delivery, nil) }
        let webhook = self.moWebhook(
            accountID: accountID, url: url, source: message.destination, destination: message.source, text: text,
            encoding: encoded.alphabet == .ucs2 ? "ucs2" : "gsm7", inReplyTo: message.id, at: at)
        return (delivery, webhook)
    }

    /// The `message.inbound` webhook of an MO (from the simulator's handset or a carrier).
    func moWebhook(
        accountID: String, url: String, source: SMPPAddress, destination: SMPPAddress, text: String, encoding: String, inReplyTo: MessageID?,
        at: Int64
    ) -> Webhook {
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.key("type")
        json.string(Webhook.Kind.inbound.rawValue)
        json.key("at")
        json.timestamp(at)
        json.key("message")
        json.beginObject()
        json.key("from")
        json.string(Message.display(source))
        json.key("to")
        json.string(Message.display(destination))
        json.key("body")
        json.string(text)
        json.key("encoding")
        json.string(encoding)
        if let inReplyTo {
            json.key("in_reply_to")
            json.string(inReplyTo.description)
        }
        json.key("received_at")
        json.timestamp(at)
        json.endObject()
        json.endObject()
        return Webhook(
            accountID: accountID, kind: .inbound, url: url, body: json.bytes, createdAt: at,
            expiresAt: at + SubmitValidation.milliseconds(self.deliveryExpiry))
    }

    static func threeDigits(_ value: Int) -> String {
        let digits = String(value)
        return digits.count >= 3 ? digits : String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// The receipt's `Text:` stays in printable ASCII whatever the message was written in.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(20).map { (0x20...0x7E).contains($0.value) ? $0 : "?" }))
    }
}

/// `YYMMDDhhmm` for receipt dates, remembered for the current minute (most receipts share it).
final class ReceiptDateCache: Sendable {
    private let last = Mutex<(minute: Int64, octets: [UInt8])>((-1, []))

    func octets(milliseconds: Int64) -> [UInt8] {
        let minute = milliseconds / 60_000
        if let cached = self.last.withLock({ $0.minute == minute ? $0.octets : nil }) { return cached }
        let octets = Array(ReceiptDate(SMPPTime.AbsoluteTime(secondsSince1970: minute * 60)).smppString.utf8)
        self.last.withLock { $0 = (minute, octets) }
        return octets
    }
}
