import SMPPCore
/// Admission, pure but for the counters it keeps: a submission's fields are validated, checked
/// against DLT, given ids and prices, held to the account's messages per second, and charged.
/// It stores nothing and talks to no one; the gateway commits what it admits.
struct Intake: Sendable {
    let validation: SubmitValidation
    let dlt: DLTRules
    let ids: MessageIDGenerator
    let accounts: AccountRegistry
    let ledger: Ledger
    let insufficientBalanceStatus: CommandStatus

    var clock: any GatewayClock { self.accounts.clock }

    /// The messages `fields` make for `account`, or why they are refused (the first fault; all
    /// or nothing). Counts against the account's throughput when admitted.
    func admit(
        _ fields: [SubmitValidation.Fields], account: Account, ingress: Ingress, clientReference: String?, callbackURL: String?,
        perMessage: [(clientReference: String?, callbackURL: String?)]?
    ) -> Result<[Message], Refused> {
        let now = self.clock.wallMilliseconds
        var messages: [Message] = []
        messages.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            switch self.validation.validate(field, now: now) {
            case .failure(let refused):
                return .failure(refused)
            case .success(var message):
                if let violation = self.dlt.check(message, registration: account.dlt, now: now) {
                    return .failure(Refused(self.dlt.rejectStatus, code: violation.code, reason: violation.description))
                }
                message.id = self.ids.next()
                message.accountID = account.id
                message.ingress = ingress
                message.clientReference = perMessage?[index].clientReference ?? clientReference
                message.callbackURL = perMessage?[index].callbackURL ?? callbackURL
                message.price = account.billing.price(destination: message.destination.address, segments: message.segments)
                messages.append(message)
            }
        }
        let segments = messages.reduce(0) { $0 + $1.segments }
        guard self.accounts.admit(accountID: account.id, segments: segments) else { return .failure(Refused(.throttled)) }
        return .success(messages)
    }

    /// Charges the messages' price (prepaid accounts only if the balance covers it): the last
    /// step, once nothing else can refuse them.
    func charge(_ messages: [Message], account: Account) -> Refused? {
        let price = messages.reduce(0) { $0 + $1.price }
        guard self.ledger.charge(account.id, price, prepaid: account.billing.mode == .prepaid) else {
            return Refused(
                self.insufficientBalanceStatus, code: "insufficient_balance",
                reason: "the balance does not cover \(price) \(account.billing.currency) minor units")
        }
        return nil
    }

    /// Gives back what `charge` took (the messages could not be stored).
    func refund(_ messages: [Message], account: Account) {
        self.ledger.credit(account.id, messages.reduce(0) { $0 + $1.price })
    }

    /// The status that refuses `fields` on their own (no account: validation only), or nil.
    func validationStatus(_ fields: SubmitValidation.Fields) -> CommandStatus? {
        if case .failure(let refused) = self.validation.validate(fields, now: self.clock.wallMilliseconds) { return refused.status }
        return nil
    }

    /// Validation, then DLT, storing and counting nothing (per-entry answers of submit_multi and
    /// HTTP batches).
    func check(_ fields: SubmitValidation.Fields, account: Account) -> Refused? {
        let now = self.clock.wallMilliseconds
        switch self.validation.validate(fields, now: now) {
        case .failure(let refused): return refused
        case .success(let message):
            guard let violation = self.dlt.check(message, registration: account.dlt, now: now) else { return nil }
            return Refused(self.dlt.rejectStatus, code: violation.code, reason: violation.description)
        }
    }
}
