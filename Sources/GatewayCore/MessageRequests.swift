public import SMPPCore

/// The customer's requests about a message already accepted (SMPP query/cancel/replace, HTTP
/// GET and DELETE): only the owner's messages, only while they can still change.
public struct MessageRequests: Sendable {
    let store: any MessageStore
    let events: StatusEvents
    let dispatcher: Dispatcher
    let ledger: Ledger
    let validation: SubmitValidation
    let clock: any GatewayClock

    public func message(_ id: MessageID, accountID: String) async throws -> Message? {
        guard let message = try await self.store.message(id), message.accountID == accountID else { return nil }
        return message
    }

    public func cancel(_ id: MessageID, accountID: String) async throws -> CancelOutcome {
        let now = self.clock.wallMilliseconds
        // Cancelling is a status change too: its webhook and its refund (if any) are stored with it.
        let message = try await self.message(id, accountID: accountID)
        let webhook = message.flatMap { message in
            message.status == .queued
                ? self.events.statusWebhook(for: message, account: self.events.accounts.account(id: accountID), status: .deleted, error: 0, at: now)
                : nil
        }
        let credit = message.flatMap { message in
            message.price > 0 && self.events.refundOn.contains(.deleted) ? Credit(messageID: id, accountID: accountID, amount: message.price) : nil
        }
        let outcome = try await self.store.cancel(id, accountID: accountID, at: now, webhook: webhook, credit: credit)
        if outcome == .cancelled {
            self.dispatcher.removeScheduled(id)
            if let credit { self.ledger.credit(credit.accountID, credit.amount) }
        }
        return outcome
    }

    /// replace_sm: new text, schedule, validity or registered_delivery for a message not yet sent on.
    public func replace(_ id: MessageID, accountID: String, with request: ReplaceSM) async throws -> CommandStatus {
        guard let message = try await self.message(id, accountID: accountID) else { return .invalidMessageID }
        guard message.status == .queued else { return .replaceFailed }
        var fields = SubmitValidation.Fields(
            SubmitSM(
                serviceType: message.serviceType, source: message.source, destination: message.destination, esmClass: message.esmClass,
                scheduleDeliveryTime: request.scheduleDeliveryTime, validityPeriod: request.validityPeriod,
                registeredDelivery: request.registeredDelivery, dataCoding: message.dataCoding, shortMessage: request.shortMessage))
        fields.tlvs = []
        switch self.validation.validate(fields, now: self.clock.wallMilliseconds) {
        case .failure(let refused):
            return refused.status
        case .success(let checked):
            // §4.10.1: a NULL schedule_delivery_time or validity_period keeps the original.
            let replacement = Replacement(
                payload: checked.payload, segments: checked.segments,
                scheduledAt: request.scheduleDeliveryTime == nil ? message.scheduledAt : checked.scheduledAt,
                expiresAt: request.validityPeriod == nil ? message.expiresAt : checked.expiresAt,
                registeredDelivery: checked.registeredDelivery)
            guard try await self.store.replace(id, accountID: accountID, with: replacement) else { return .replaceFailed }
            self.dispatcher.updateScheduled(id) { scheduled in
                scheduled.payload = replacement.payload
                scheduled.scheduledAt = replacement.scheduledAt
                scheduled.expiresAt = replacement.expiresAt
                scheduled.registeredDelivery = replacement.registeredDelivery
            }
            return .ok
        }
    }
}
