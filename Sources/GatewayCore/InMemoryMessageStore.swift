import Synchronization

/// A `MessageStore` in memory, for unit tests of the layers above it. Not durable.
public final class InMemoryMessageStore: MessageStore {
    struct State {
        var accounts: [String: Account] = [:]
        var messages: [MessageID: Message] = [:]
        var deliveries: [Int64: Delivery] = [:]
        var nextSequence: Int64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    public func accounts() async throws -> [Account] { self.state.withLock { Array($0.accounts.values) } }
    public func save(_ account: Account) async throws { self.state.withLock { $0.accounts[account.id] = account } }

    public func insert(_ messages: [Message]) async throws {
        self.state.withLock { state in for message in messages { state.messages[message.id] = message } }
    }

    public func message(_ id: MessageID) async throws -> Message? { self.state.withLock { $0.messages[id] } }

    public func apply(_ changes: [StatusChange]) async throws -> [Delivery] {
        self.state.withLock { state in
            var stored: [Delivery] = []
            for change in changes {
                guard var message = state.messages[change.messageID], !message.status.isFinal else { continue }
                message.status = change.status
                message.errorCode = change.errorCode
                if change.status.isFinal { message.doneAt = change.at }
                state.messages[change.messageID] = message
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

    public func cancel(_ id: MessageID, accountID: String, at: Int64) async throws -> CancelOutcome {
        self.state.withLock { state in
            guard var message = state.messages[id], message.accountID == accountID else { return .notFound }
            guard message.status == .queued else { return .tooLate }
            message.status = .deleted
            message.doneAt = at
            state.messages[id] = message
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

    public func deleteExpiredDeliveries(before: Int64) async throws -> Int {
        self.state.withLock { state in
            let expired = state.deliveries.values.filter { $0.expiresAt < before }.map(\.sequence)
            for sequence in expired { state.deliveries[sequence] = nil }
            return expired.count
        }
    }

    /// Deliveries not yet acknowledged (tests).
    public var owedDeliveries: [Delivery] { self.state.withLock { $0.deliveries.values.sorted { $0.sequence < $1.sequence } } }
}
