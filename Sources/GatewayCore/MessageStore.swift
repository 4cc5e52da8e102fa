public import SMPPCore

/// Something the gateway owes a customer over SMPP (a deliver_sm) or, later, a webhook: a
/// delivery receipt or an inbound (MO) message. Stored before it is sent; removed when the
/// customer acknowledged it or it expired.
public struct Delivery: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case receipt
        case mo
    }

    /// Assigned by the store, increasing; 0 before it is stored.
    public var sequence: Int64
    public var accountID: String
    public var kind: Kind
    /// The message a receipt is about.
    public var messageID: MessageID?
    /// What goes to an SMPP receiver.
    public var deliverSM: DeliverSM
    public var createdAt: Int64
    public var expiresAt: Int64
    public var attempts: Int

    public init(
        sequence: Int64 = 0, accountID: String, kind: Kind, messageID: MessageID?, deliverSM: DeliverSM, createdAt: Int64,
        expiresAt: Int64, attempts: Int = 0
    ) {
        self.sequence = sequence
        self.accountID = accountID
        self.kind = kind
        self.messageID = messageID
        self.deliverSM = deliverSM
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.attempts = attempts
    }
}

/// A message's status moving on, with the receipt it owes the customer (if any). The store
/// applies it only if the message is not already final, and keeps the receipt only then.
public struct StatusChange: Sendable, Hashable {
    public var messageID: MessageID
    public var status: MessageStatus
    public var errorCode: Int
    /// Milliseconds since 1970.
    public var at: Int64
    public var receipt: Delivery?
    /// The webhook it owes (stored with it, only if the change applies).
    public var webhook: Webhook?
    /// The refund it owes (stored with it, only if the change applies; once per message).
    public var credit: Credit?
    /// The carrier's ids of the message, one per part (a `sent` change), stored so that its
    /// receipts find it.
    public var upstream: [UpstreamID]

    public init(
        messageID: MessageID, status: MessageStatus, errorCode: Int = 0, at: Int64, receipt: Delivery? = nil, webhook: Webhook? = nil,
        credit: Credit? = nil, upstream: [UpstreamID] = []
    ) {
        self.upstream = upstream
        self.credit = credit
        self.webhook = webhook
        self.messageID = messageID
        self.status = status
        self.errorCode = errorCode
        self.at = at
        self.receipt = receipt
    }
}

/// What cancel_sm / DELETE found.
public enum CancelOutcome: Sendable, Hashable {
    case cancelled
    case notFound
    /// Already sent on, or final: too late.
    case tooLate
}

/// What replace_sm may change.
public struct Replacement: Sendable, Hashable {
    public var payload: [UInt8]
    public var segments: Int
    public var scheduledAt: Int64?
    public var expiresAt: Int64?
    public var registeredDelivery: RegisteredDelivery

    public init(payload: [UInt8], segments: Int, scheduledAt: Int64?, expiresAt: Int64?, registeredDelivery: RegisteredDelivery) {
        self.payload = payload
        self.segments = segments
        self.scheduledAt = scheduledAt
        self.expiresAt = expiresAt
        self.registeredDelivery = registeredDelivery
    }
}

/// One transaction's worth of writes (the gateway's group commit).
public struct WriteBatch: Sendable {
    /// New messages to insert.
    public var messages: [Message] = []
    /// Status changes (applied after the inserts), each only if its message is not final.
    public var changes: [StatusChange] = []
    /// Deliveries of no status change (MO).
    public var deliveries: [Delivery] = []
    /// Deliveries the customer acknowledged, to remove.
    public var acknowledged: [Int64] = []
    /// Webhooks of no status change (MO).
    public var webhooks: [Webhook] = []
    /// Below this id every message not scheduled for later has left `queued` (or is changed in
    /// this batch): a restart resumes from here rather than searching the whole table.
    public var dispatchWatermark: MessageID?
    /// Parts of long messages the carrier reported delivered while others are still out.
    public var deliveredParts: [DeliveredPart] = []

    public init(
        messages: [Message] = [], changes: [StatusChange] = [], deliveries: [Delivery] = [], acknowledged: [Int64] = [],
        webhooks: [Webhook] = [], dispatchWatermark: MessageID? = nil
    ) {
        self.webhooks = webhooks
        self.messages = messages
        self.changes = changes
        self.deliveries = deliveries
        self.acknowledged = acknowledged
        self.dispatchWatermark = dispatchWatermark
    }

    public var isEmpty: Bool {
        self.messages.isEmpty && self.changes.isEmpty && self.deliveries.isEmpty && self.acknowledged.isEmpty && self.webhooks.isEmpty
            && self.dispatchWatermark == nil && self.deliveredParts.isEmpty
    }
}

/// One part of a long message, delivered (its message not yet final).
public struct DeliveredPart: Sendable, Hashable {
    public var messageID: MessageID
    public var upstream: UpstreamID
    public init(messageID: MessageID, upstream: UpstreamID) {
        self.messageID = messageID
        self.upstream = upstream
    }
}

/// What the store knows of a carrier's id.
public struct UpstreamMatch: Sendable, Hashable {
    public var messageID: MessageID
    /// The spelling stored (normalised).
    public var upstreamID: String
    /// Parts the message was sent as.
    public var parts: Int
    /// Those of its parts' ids already reported delivered.
    public var deliveredParts: Set<String>
    public init(messageID: MessageID, upstreamID: String, parts: Int, deliveredParts: Set<String>) {
        self.messageID = messageID
        self.upstreamID = upstreamID
        self.parts = parts
        self.deliveredParts = deliveredParts
    }
}

/// Where accepted messages, their status and the deliveries owed live: every storage role in one
/// backend. Every call is one transaction; implementations never block an event loop (DESIGN.md:
/// SQLite embedded, PostgreSQL for several nodes). Each role has a conformance suite
/// (`GatewayStorageConformance`) that every backend passes.
public protocol MessageStore: AccountStore, SettingsStore, MessageLog, IdempotencyStore, APIKeyStore, Outbox {
    /// Background upkeep until the task is cancelled (the gateway runs it beside its writer).
    func runMaintenance() async
}

/// Accounts and their stored balances.
public protocol AccountStore: Sendable {
    func accounts() async throws -> [Account]
    /// Inserts or replaces an account.
    func save(_ account: Account) async throws
    /// Removes an account (its messages stay); false if there was none.
    func delete(accountID: String) async throws -> Bool
    /// Every account's balance: what was stored with its accounts and messages, plus its credits.
    func balances() async throws -> [String: Int64]
    /// Adds `amount` (minor units; below zero to take) to an account's stored balance.
    func adjustBalance(accountID: String, by amount: Int64) async throws
}

/// Node-wide settings (the admin token's hash, connectors and routes added at run time…).
public protocol SettingsStore: Sendable {
    func setting(_ key: String) async throws -> String?
    func save(setting key: String, value: String) async throws
}

/// The accepted messages: written once when accepted (with the idempotency records of the
/// requests that made them), read by id, listed, cancelled or replaced while queued.
public protocol MessageLog: Sendable {
    /// Stores new messages, and the idempotency records of the requests that made them, in one
    /// transaction: when this returns they are durable.
    func insert(_ messages: [Message], idempotency: [IdempotencyRecord]) async throws
    func message(_ id: MessageID) async throws -> Message?
    /// An account's messages, newest first, as `query` filters them.
    func messages(_ query: MessageQuery) async throws -> MessagePage
    /// Cancels a message still queued; `webhook` (the `deleted` status's) is stored in the
    /// same transaction when it is cancelled.
    func cancel(_ id: MessageID, accountID: String, at: Int64, webhook: Webhook?, credit: Credit?) async throws -> CancelOutcome
    /// Changes a message still queued; false if there is none (or it already went on).
    func replace(_ id: MessageID, accountID: String, with replacement: Replacement) async throws -> Bool
    /// Messages still `queued` that a restart must dispatch, oldest first, after `after`: at
    /// least every one at or above the last `dispatchWatermark`, and every scheduled one.
    func queuedMessages(after: MessageID?, limit: Int) async throws -> [Message]
    /// The message a carrier knows by one of `ids` (spellings of its id), if any: with how many
    /// parts it was sent as and which of them the carrier already reported delivered.
    func upstream(connector: String, upstreamIDs: [String]) async throws -> UpstreamMatch?
}

/// The answers stored for `Idempotency-Key`s (written with the messages they made).
public protocol IdempotencyStore: Sendable {
    /// The answer stored for an `Idempotency-Key`, if any.
    func idempotencyRecord(accountID: String, key: String) async throws -> IdempotencyRecord?
}

/// API keys (only their hashes).
public protocol APIKeyStore: Sendable {
    func apiKeys() async throws -> [APIKey]
    /// Inserts or replaces a key (revoking is saving it with `revokedAt`).
    func save(_ key: APIKey) async throws
}

/// What happens to stored messages and what the gateway owes for it: status changes, receipts
/// and MO owed to SMPP receivers, webhooks owed to customers' URLs, refunds.
public protocol Outbox: Sendable {
    /// All of `batch` in one transaction; returns the deliveries stored (receipts of applied
    /// changes, then MO), with their sequence numbers, and the credits stored.
    func write(_ batch: WriteBatch) async throws -> WriteOutcome
    /// Applies status changes in one transaction, each only if its message is not final;
    /// returns the receipts of the applied ones, stored, with their sequence numbers. The gateway
    /// changes only messages it stored: a change for an id never stored is not checked for (a
    /// backend may keep it), so that a change costs no read of the message log.
    func apply(_ changes: [StatusChange]) async throws -> [Delivery]
    /// Stores deliveries that belong to no status change (MO); returns them with sequences.
    func insert(deliveries: [Delivery]) async throws -> [Delivery]
    /// Deliveries owed to `accountID` with a sequence above `after`, oldest first.
    func pendingDeliveries(accountID: String, after: Int64, limit: Int) async throws -> [Delivery]
    /// The customer acknowledged these.
    func completeDeliveries(_ sequences: [Int64]) async throws
    /// Webhooks due at `now`, oldest first within `claim`'s shares (`WebhookClaim.pick`); each
    /// is leased (not due again) until `now + lease` so that one sender has it while it tries.
    func claimWebhooks(now: Int64, lease: Int64, claim: WebhookClaim) async throws -> [Webhook]
    /// Stores webhooks of no status change (MO); returns them with sequences.
    func insert(webhooks: [Webhook]) async throws -> [Webhook]
    /// Answered 2xx: done.
    func completeWebhooks(_ sequences: [Int64]) async throws
    /// Failed: tried again at `at`.
    func retryWebhook(_ sequence: Int64, at: Int64, attempts: Int) async throws
    /// Drops deliveries and webhooks that expired before `before`, and idempotency records made
    /// before `idempotencyBefore`; returns how many deliveries and webhooks.
    func deleteExpired(before: Int64, idempotencyBefore: Int64) async throws -> Int
}

extension MessageStore {
    /// Background upkeep (SQLite: WAL checkpoints) until the task is cancelled; none by default.
    public func runMaintenance() async {}
}

extension MessageLog {
    /// Stores new messages in one transaction: when this returns they are durable.
    public func insert(_ messages: [Message]) async throws { try await self.insert(messages, idempotency: []) }

    public func cancel(_ id: MessageID, accountID: String, at: Int64) async throws -> CancelOutcome {
        try await self.cancel(id, accountID: accountID, at: at, webhook: nil, credit: nil)
    }
}

/// Which messages `GET /v2/messages` lists: one account's, newest first, below a cursor.
public struct MessageQuery: Sendable, Hashable {
    public var accountID: String
    /// Only messages with an id below this one (the cursor of the previous page).
    public var before: MessageID?
    /// Only messages with an id at or above this one (ids grow with time: a `since` time).
    public var notBefore: MessageID?
    public var status: MessageStatus?
    /// The destination address as stored.
    public var recipient: String?
    public var clientReference: String?
    public var limit: Int

    public init(
        accountID: String, before: MessageID? = nil, notBefore: MessageID? = nil, status: MessageStatus? = nil, recipient: String? = nil,
        clientReference: String? = nil, limit: Int = 100
    ) {
        self.accountID = accountID
        self.before = before
        self.notBefore = notBefore
        self.status = status
        self.recipient = recipient
        self.clientReference = clientReference
        self.limit = limit
    }
}

/// A page of a listing: the messages, and where the next page starts (`nil`: no more). A page
/// may hold fewer than asked when a status filter had to skip many; the cursor still moves on.
public struct MessagePage: Sendable, Hashable {
    public var messages: [Message]
    public var next: MessageID?

    public init(messages: [Message], next: MessageID?) {
        self.messages = messages
        self.next = next
    }
}

/// What one `write` stored: deliveries to send, credits to give back.
public struct WriteOutcome: Sendable {
    public var deliveries: [Delivery]
    public var credits: [Credit]

    public init(deliveries: [Delivery] = [], credits: [Credit] = []) {
        self.deliveries = deliveries
        self.credits = credits
    }
}

extension Outbox {
    /// Up to `limit` due webhooks, oldest first, no shares.
    public func claimWebhooks(now: Int64, lease: Int64, limit: Int) async throws -> [Webhook] {
        try await self.claimWebhooks(now: now, lease: lease, claim: WebhookClaim(limit: limit))
    }
}

/// What a webhook sender takes at once: at most `limit`, and no account or host beyond its
/// share of the sender's slots counting those already in flight — so a slow endpoint holds its
/// owner's share, not every slot (DESIGN rule 7: a hostile tenant slows only itself).
public struct WebhookClaim: Sendable, Equatable {
    public var limit: Int
    public var perAccount: Int
    public var perHost: Int
    /// In flight now, by account and by host.
    public var busyAccounts: [String: Int]
    public var busyHosts: [String: Int]

    public init(limit: Int, perAccount: Int = .max, perHost: Int = .max, busyAccounts: [String: Int] = [:], busyHosts: [String: Int] = [:]) {
        self.limit = limit
        self.perAccount = perAccount
        self.perHost = perHost
        self.busyAccounts = busyAccounts
        self.busyHosts = busyHosts
    }

    /// Accounts with no room left: a store leaves them out of its candidates.
    public var fullAccounts: [String] { self.busyAccounts.filter { $0.value >= self.perAccount }.map(\.key).sorted() }

    /// How many due webhooks a store reads to pick from (some fall outside the shares).
    public var candidates: Int { min(self.limit, 10_000) * 8 }

    /// From due webhooks, oldest first: those within the shares, up to `limit`.
    public func pick(_ due: some Sequence<Webhook>) -> [Webhook] {
        var accounts = self.busyAccounts
        var hosts = self.busyHosts
        var picked: [Webhook] = []
        for webhook in due {
            guard picked.count < self.limit else { break }
            let host = webhook.host
            guard accounts[webhook.accountID, default: 0] < self.perAccount, hosts[host, default: 0] < self.perHost else { continue }
            accounts[webhook.accountID, default: 0] += 1
            hosts[host, default: 0] += 1
            picked.append(webhook)
        }
        return picked
    }
}

extension Webhook {
    /// The URL's host, lowercased (its share of the sender's slots is counted by it).
    public var host: String {
        var rest = Substring(self.url)
        if rest.hasPrefix("https://") { rest = rest.dropFirst(8) } else if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.hasPrefix("[") ? authority.prefix { $0 != "]" } + "]" : authority.prefix { $0 != ":" }
        return host.lowercased()
    }
}
