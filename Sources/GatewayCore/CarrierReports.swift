public import NIOCore
public import SMPPCore

/// What carriers report about the messages the gateway sent them (connectors call these), turned
/// into stored status changes with the receipts, webhooks and refunds they owe, and MO into
/// stored deliveries: `gateway.carriers.accepted(…)`, `.reported(…)`, `.mo(…)`.
public struct CarrierReports: Sendable {
    let store: any MessageLog
    let events: StatusEvents
    let outbox: OutboxWriter
    let clock: any GatewayClock

    /// A carrier took the message (every part of it): it is `sent`, and its ids there are kept
    /// for the receipts.
    public func accepted(_ accepted: [(message: Message, upstream: [UpstreamID])]) {
        let now = self.clock.wallMilliseconds
        var work: [OutboxWriter.Work] = []
        work.reserveCapacity(accepted.count)
        for (message, upstream) in accepted {
            var change = self.events.change(
                message, .sent, error: 0, at: now, intermediate: message.registeredDelivery.intermediateNotification)
            change.upstream = upstream
            work.append(.status(change))
        }
        self.outbox.append(contentsOf: work)
    }

    /// A carrier refused the submit for good: the message ends `rejected` with the carrier's
    /// status as its error code, and the customer gets that receipt.
    public func refused(_ message: Message, status: CommandStatus) {
        self.outbox.append(.status(self.events.change(message, .rejected, error: Int(status.rawValue & 0xFFFF), at: self.clock.wallMilliseconds)))
    }

    /// The gateway gives up on a message it cannot send (`error` says why: 901, more
    /// parts than the carrier takes; 902, no route; 903, too long for a carrier without concatenation): it ends `failed`, with that receipt.
    public func failed(_ message: Message, error: Int) {
        self.outbox.append(.status(self.events.change(message, .failed, error: error, at: self.clock.wallMilliseconds)))
    }

    /// No receipt came from the carrier by the connector's receipt deadline: the gateway stops
    /// waiting. The message ends `expired` with error 904 (the customer gets that receipt or
    /// webhook; `billing.refundOn` decides about the charge). A receipt that comes later is
    /// counted and logged, and changes nothing.
    public func noReceipt(_ messages: [Message]) {
        let now = self.clock.wallMilliseconds
        self.outbox.append(contentsOf: messages.map { .status(self.events.change($0, .expired, error: Self.noReceiptError, at: now)) })
    }

    /// The error code of a message given up for want of a receipt.
    public static let noReceiptError = 904

    /// The message's validity period ran out before a carrier took it: `expired`, with an
    /// EXPIRED receipt.
    public func expired(_ message: Message) {
        self.outbox.append(.status(self.events.change(message, .expired, error: 0, at: self.clock.wallMilliseconds)))
    }

    /// Parts of long messages the carrier delivered while other parts are still out: kept, so
    /// that after a restart the last part's receipt still knows the others were delivered.
    public func delivered(parts: [DeliveredPart]) {
        self.outbox.append(contentsOf: parts.map { .deliveredPart($0) })
    }

    /// Carriers' receipts for messages this run sent and still holds.
    public func reported(_ reports: [(message: Message, status: MessageStatus, error: Int)]) {
        let now = self.clock.wallMilliseconds
        self.outbox.append(contentsOf: reports.map { .status(self.events.change($0.message, $0.status, error: $0.error, at: now)) })
    }

    /// A carrier's receipt for a message this run sent (matched in memory).
    public func reported(_ id: MessageID, status: MessageStatus, error: Int) async throws -> Bool {
        guard let message = try await self.store.message(id) else { return false }
        guard !message.status.isFinal else {
            // Already settled: a duplicate receipt, or one after the gateway stopped waiting.
            if message.status == .expired, message.errorCode == Self.noReceiptError {
                GatewayMetrics.shared.lateReceipt()
            }
            return true
        }
        self.outbox.append(.status(self.events.change(message, status, error: error, at: self.clock.wallMilliseconds)))
        return true
    }

    /// An inbound message from a carrier, for the account that owns the number it was sent to.
    /// False if no account owns it.
    public func mo(source: SMPPAddress, destination: SMPPAddress, dataCoding: DataCoding, shortMessage: ByteBuffer) -> Bool {
        guard let account = self.events.accounts.owner(of: destination.address) else { return false }
        let now = self.clock.wallMilliseconds
        let expiry = now + SubmitValidation.milliseconds(self.events.deliveryExpiry)
        let pdu = DeliverSM(source: source, destination: destination, dataCoding: dataCoding, shortMessage: shortMessage)
        self.outbox.append(.delivery(Delivery(accountID: account.id, kind: .mo, messageID: nil, deliverSM: pdu, createdAt: now, expiresAt: expiry)))
        if let url = account.moWebhookURL {
            let text = SMSText.decode(shortMessage, dataCoding: dataCoding) ?? ""
            let encoding = dataCoding.alphabet == .ucs2 ? "ucs2" : "gsm7"
            self.outbox.append(
                .webhook(self.events.moWebhook(accountID: account.id, url: url, source: source, destination: destination, text: text, encoding: encoding, inReplyTo: nil, at: now)))
        }
        return true
    }
}
