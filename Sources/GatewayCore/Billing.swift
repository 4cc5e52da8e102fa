import Synchronization

/// How an account pays: a prepaid balance that must cover each message, or postpaid (usage is
/// recorded, the balance may go below zero); and its rate card — a price per segment in minor
/// units of `currency` by destination prefix (the longest prefix wins), with a default.
public struct Billing: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        case prepaid, postpaid
    }

    public var mode: Mode
    public var currency: String
    /// Minor units per segment where no prefix matches.
    public var defaultRate: Int64
    /// Destination prefix (international digits) → minor units per segment.
    public var rates: [String: Int64]

    public init(mode: Mode = .prepaid, currency: String = "EUR", defaultRate: Int64 = 0, rates: [String: Int64] = [:]) {
        self.mode = mode
        self.currency = currency
        self.defaultRate = defaultRate
        self.rates = rates
    }

    enum CodingKeys: String, CodingKey {
        case mode, currency
        case defaultRate = "default_rate"
        case rates
    }

    /// The price of a message: its segments times the rate of the longest matching prefix.
    public func price(destination: String, segments: Int) -> Int64 {
        let digits = destination.hasPrefix("+") ? destination.dropFirst() : Substring(destination)
        var rate = self.defaultRate
        var matched = -1
        for (prefix, price) in self.rates where prefix.count > matched && digits.hasPrefix(prefix) {
            rate = price
            matched = prefix.count
        }
        return rate * Int64(segments)
    }

    /// What is wrong with it, if anything: the field and why.
    public func problem() -> (field: String, reason: String)? {
        guard self.currency.count == 3, self.currency.allSatisfy({ $0.isUppercase && $0.isASCII }) else {
            return ("currency", "an ISO 4217 code such as EUR")
        }
        guard self.defaultRate >= 0 else { return ("default_rate", "a price is 0 or more minor units") }
        for (prefix, rate) in self.rates {
            guard !prefix.isEmpty, prefix.count <= 15, prefix.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return ("rates", "`\(prefix)` is not a destination prefix (international digits, no +)")
            }
            guard rate >= 0 else { return ("rates", "the rate of \(prefix) is below zero") }
        }
        return nil
    }
}

/// Money owed back to an account: a message that ended before it reached a carrier.
public struct Credit: Sendable, Hashable {
    public var messageID: MessageID
    public var accountID: String
    public var amount: Int64

    public init(messageID: MessageID, accountID: String, amount: Int64) {
        self.messageID = messageID
        self.accountID = accountID
        self.amount = amount
    }
}

/// Account balances in memory, the authority for accepting a prepaid message: a charge is
/// taken here (atomically: never below zero, whatever the concurrency), then stored with the
/// messages in the same transaction; credits come back once their refund is stored.
public final class Ledger: Sendable {
    let balances = Mutex<[String: Int64]>([:])

    public init(_ balances: [String: Int64] = [:]) {
        self.balances.withLock { $0 = balances }
    }

    public func balance(_ accountID: String) -> Int64 { self.balances.withLock { $0[accountID] ?? 0 } }

    /// Takes `amount`; a prepaid account must have it. False: nothing taken.
    public func charge(_ accountID: String, _ amount: Int64, prepaid: Bool) -> Bool {
        guard amount > 0 else { return true }
        return self.balances.withLock { balances in
            let balance = balances[accountID] ?? 0
            guard !prepaid || balance >= amount else { return false }
            balances[accountID] = balance - amount
            return true
        }
    }

    public func credit(_ accountID: String, _ amount: Int64) {
        guard amount != 0 else { return }
        self.balances.withLock { $0[accountID, default: 0] += amount }
    }

    /// Adds `amount` (a top-up, or a correction below zero) unless a prepaid balance would go
    /// below zero; returns the new balance, or nil.
    public func adjust(_ accountID: String, by amount: Int64, prepaid: Bool) -> Int64? {
        self.balances.withLock { balances in
            let balance = (balances[accountID] ?? 0) + amount
            guard !prepaid || balance >= 0 else { return nil }
            balances[accountID] = balance
            return balance
        }
    }
}
