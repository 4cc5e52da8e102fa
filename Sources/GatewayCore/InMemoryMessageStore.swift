import SMPPCore
import Synchronization

/// What the in-memory store refuses.
public enum InMemoryStoreError: Error, Sendable, Hashable {
    case duplicateMessageID(MessageID)
    /// `failingWrites` is on: what a full disk does to a real store.
    case diskFull
}

/// A `MessageStore` in memory, for unit tests of the layers above it. Not durable.
public final class InMemoryMessageStore: MessageStore {
    struct State {
        var accounts: [String: Account] = [:]
        var messages: [MessageID: Message] = [:]
        var deliveries: [Int64: Delivery] = [:]
        var nextSequence: Int64 = 1
        var idempotency: [String: IdempotencyRecord] = [:]
        var keys: [String: APIKey] = [:]
        var webhooks: [Int64: Webhook] = [:]
        var settings: [String: String] = [:]
        var balances: [String: Int64] = [:]
        var credits: [MessageID: Credit] = [:]
        var upstream: [UpstreamID: (message: MessageID, parts: Int)] = [:]
        var deliveredParts: [MessageID: Set<String>] = [:]
    }

    private let state = Mutex(State())
    private let writesFail = Atomic(false)

    public init() {}

    /// While true, new messages and settings are not stored (`diskFull`): for tests of what the
    /// layers above do when the store cannot commit.
    public func setFailingWrites(_ failing: Bool) { self.writesFail.store(failing, ordering: .relaxed) }

    private func checkWritable() throws(InMemoryStoreError) {
        if self.writesFail.load(ordering: .relaxed) { throw .diskFull }
    }

    public func accounts() async throws -> [Account] { self.state.withLock { Array($0.accounts.values) } }
    public func save(_ account: Account) async throws { self.state.withLock { $0.accounts[account.id] = account } }
    public func delete(accountID: String) async throws -> Bool { self.state.withLock { $0.accounts.removeValue(forKey: accountID) != nil } }
    public func setting(_ key: String) async throws -> String? { self.state.withLock { $0.settings[key] } }
    public func save(setting key: String, value: String) async throws {
        try self.checkWritable()
        self.state.withLock { $0.settings[key] = value }
    }

    public func insert(_ messages: [Message], idempotency: [IdempotencyRecord]) async throws {
        try self.checkWritable()
        try self.state.withLock { state in
            // All or nothing, as a transaction: a duplicate id (a bug) stores none of them.
            var ids = Set<MessageID>()
            for message in messages where state.messages[message.id] != nil || !ids.insert(message.id).inserted {
                throw InMemoryStoreError.duplicateMessageID(message.id)
            }
            for message in messages {
                state.messages[message.id] = message
                state.balances[message.accountID, default: 0] -= message.price
            }
            for record in idempotency { state.idempotency[record.accountID + "\u{0}" + record.key] = record }
        }
    }

    public func idempotencyRecord(accountID: String, key: String) async throws -> IdempotencyRecord? {
        self.state.withLock { $0.idempotency[accountID + "\u{0}" + key] }
    }

    public func messages(_ query: MessageQuery) async throws -> MessagePage {
        self.state.withLock { state in
            let matching = state.messages.values.filter { message in
                message.accountID == query.accountID && message.id < (query.before ?? MessageID(rawValue: .max))
                    && message.id >= (query.notBefore ?? MessageID(rawValue: 0)) && (query.status.map { message.status == $0 } ?? true)
                    && (query.recipient.map { message.destination.address == $0 } ?? true)
                    && (query.clientReference.map { message.clientReference == $0 } ?? true)
            }.sorted { $0.id > $1.id }
            let page = Array(matching.prefix(query.limit))
            return MessagePage(messages: page, next: matching.count > query.limit ? page.last?.id : nil)
        }
    }

    public func apiKeys() async throws -> [APIKey] { self.state.withLock { Array($0.keys.values) } }
    public func save(_ key: APIKey) async throws { self.state.withLock { $0.keys[key.id] = key } }

    func store(_ webhook: Webhook, in state: inout State) -> Webhook {
        var webhook = webhook
        webhook.sequence = state.nextSequence
        state.nextSequence += 1
        state.webhooks[webhook.sequence] = webhook
        return webhook
    }

    public func insert(webhooks: [Webhook]) async throws -> [Webhook] {
        self.state.withLock { state in webhooks.map { self.store($0, in: &state) } }
    }

    public func claimWebhooks(now: Int64, lease: Int64, claim: WebhookClaim) async throws -> [Webhook] {
        self.state.withLock { state in
            let due = claim.pick(
                state.webhooks.values.filter { $0.nextAttemptAt <= now }.sorted { ($0.nextAttemptAt, $0.sequence) < ($1.nextAttemptAt, $1.sequence) })
            for webhook in due { state.webhooks[webhook.sequence]?.nextAttemptAt = now + lease }
            return Array(due)
        }
    }

    public func completeWebhooks(_ sequences: [Int64]) async throws {
        self.state.withLock { state in for sequence in sequences { state.webhooks[sequence] = nil } }
    }

    public func retryWebhook(_ sequence: Int64, at: Int64, attempts: Int) async throws {
        self.state.withLock { state in
            state.webhooks[sequence]?.nextAttemptAt = at
            state.webhooks[sequence]?.attempts = attempts
        }
    }

    /// Webhooks not yet answered (tests).
    public var owedWebhooks: [Webhook] { self.state.withLock { $0.webhooks.values.sorted { $0.sequence < $1.sequence } } }

    public func message(_ id: MessageID) async throws -> Message? { self.state.withLock { $0.messages[id] } }

    public func write(_ batch: WriteBatch) async throws -> WriteOutcome {
        try await self.insert(batch.messages)
        var credits: [Credit] = []
        var stored = self.apply(batch.changes, credits: &credits)
        stored += try await self.insert(deliveries: batch.deliveries)
        _ = try await self.insert(webhooks: batch.webhooks)
        try await self.completeDeliveries(batch.acknowledged)
        self.state.withLock { state in
            for part in batch.deliveredParts { state.deliveredParts[part.messageID, default: []].insert(part.upstream.id) }
        }
        return WriteOutcome(deliveries: stored, credits: credits)
    }

    public func apply(_ changes: [StatusChange]) async throws -> [Delivery] {
        var credits: [Credit] = []
        return self.apply(changes, credits: &credits)
    }

    func apply(_ changes: [StatusChange], credits: inout [Credit]) -> [Delivery] {
        self.state.withLock { state in
            var stored: [Delivery] = []
            for change in changes {
                guard var message = state.messages[change.messageID], !message.status.isFinal else { continue }
                message.status = change.status
                message.errorCode = change.errorCode
                if change.status.isFinal { message.doneAt = change.at }
                state.messages[change.messageID] = message
                if let webhook = change.webhook { _ = self.store(webhook, in: &state) }
                for upstream in change.upstream { state.upstream[upstream] = (change.messageID, change.upstream.count) }
                if let credit = change.credit, state.credits[credit.messageID] == nil {
                    state.credits[credit.messageID] = credit
                    state.balances[credit.accountID, default: 0] += credit.amount
                    credits.append(credit)
                }
                if var receipt = change.receipt {
                    receipt.sequence = state.nextSequence
                    state.nextSequence += 1
                    state.deliveries[receipt.sequence] = receipt
                    stored.append(receipt)
                }
            }
            return stored
        }
    }

    public func insert(deliveries: [Delivery]) async throws -> [Delivery] {
        self.state.withLock { state in
            deliveries.map { delivery in
                var delivery = delivery
                delivery.sequence = state.nextSequence
                state.nextSequence += 1
                state.deliveries[delivery.sequence] = delivery
                return delivery
            }
        }
    }

    public func balances() async throws -> [String: Int64] { self.state.withLock { $0.balances } }

    public func upstream(connector: String, upstreamIDs: [String]) async throws -> UpstreamMatch? {
        self.state.withLock { state in
            for id in upstreamIDs {
                if let found = state.upstream[UpstreamID(connector: connector, id: id)] {
                    return UpstreamMatch(
                        messageID: found.message, upstreamID: id, parts: found.parts, deliveredParts: state.deliveredParts[found.message] ?? [])
                }
            }
            return nil
        }
    }

    public func adjustBalance(accountID: String, by amount: Int64) async throws {
        self.state.withLock { $0.balances[accountID, default: 0] += amount }
    }

    public func cancel(_ id: MessageID, accountID: String, at: Int64, webhook: Webhook?, credit: Credit?) async throws -> CancelOutcome {
        self.state.withLock { state in
            guard var message = state.messages[id], message.accountID == accountID else { return .notFound }
            guard message.status == .queued else { return .tooLate }
            message.status = .deleted
            message.doneAt = at
            state.messages[id] = message
            if let webhook { _ = self.store(webhook, in: &state) }
            if let credit, state.credits[credit.messageID] == nil {
                state.credits[credit.messageID] = credit
                state.balances[credit.accountID, default: 0] += credit.amount
            }
            return .cancelled
        }
    }

    public func replace(_ id: MessageID, accountID: String, with replacement: Replacement) async throws -> Bool {
        self.state.withLock { state in
            guard var message = state.messages[id], message.accountID == accountID, message.status == .queued else { return false }
            message.payload = replacement.payload
            message.segments = replacement.segments
            message.scheduledAt = replacement.scheduledAt
            message.expiresAt = replacement.expiresAt
            message.registeredDelivery = replacement.registeredDelivery
            state.messages[id] = message
            return true
        }
    }

    public func queuedMessages(after: MessageID?, limit: Int) async throws -> [Message] {
        self.state.withLock { state in
            Array(
                state.messages.values.filter { $0.status == .queued && $0.id > (after ?? MessageID(rawValue: 0)) }.sorted { $0.id < $1.id }
                    .prefix(limit))
        }
    }

    public func pendingDeliveries(accountID: String, after: Int64, limit: Int) async throws -> [Delivery] {
        self.state.withLock { state in
            Array(
                state.deliveries.values.filter { $0.accountID == accountID && $0.sequence > after }.sorted { $0.sequence < $1.sequence }
                    .prefix(limit))
        }
    }

    public func completeDeliveries(_ sequences: [Int64]) async throws {
        self.state.withLock { state in for sequence in sequences { state.deliveries[sequence] = nil } }
    }

    public func deleteExpired(before: Int64, idempotencyBefore: Int64) async throws -> Int {
        self.state.withLock { state in
            let expired = state.deliveries.values.filter { $0.expiresAt < before }.map(\.sequence)
            for sequence in expired { state.deliveries[sequence] = nil }
            let expiredHooks = state.webhooks.values.filter { $0.expiresAt < before }.map(\.sequence)
            for sequence in expiredHooks { state.webhooks[sequence] = nil }
            state.idempotency = state.idempotency.filter { $0.value.createdAt >= idempotencyBefore }
            return expired.count + expiredHooks.count
        }
    }

    /// Deliveries not yet acknowledged (tests).
    public var owedDeliveries: [Delivery] { self.state.withLock { $0.deliveries.values.sorted { $0.sequence < $1.sequence } } }
}
