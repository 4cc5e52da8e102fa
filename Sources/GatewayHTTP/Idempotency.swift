import Crypto
import GatewayCore
import Synchronization

/// `Idempotency-Key` on POSTs: the first answer (stored with the messages it created, in the
/// same transaction) is replayed to every retry with the same key for 24 hours; the same key
/// with another request is refused, as is a retry while the first is still being answered.
final class IdempotencyCache: Sendable {
    enum Entry {
        case inProgress(requestHash: [UInt8])
        case done(IdempotencyRecord)
    }

    enum Lookup {
        /// Go on; the key is now held until `finish` or `release`.
        case proceed
        case replay(IdempotencyRecord)
        case conflict(Problem)
    }

    static let lifetime: Int64 = 24 * 3_600_000
    let entries = Mutex<[String: Entry]>([:])
    let store: any IdempotencyStore
    /// Answers kept in memory (older ones are read back from the store).
    let capacity: Int

    init(store: any IdempotencyStore, capacity: Int = 100_000) {
        self.store = store
        self.capacity = capacity
    }

    static func requestHash(method: String, path: String, body: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array((method + " " + path + "\n").utf8))
        hasher.update(data: Array(body))
        return Array(hasher.finalize())
    }

    static func isValid(key: String) -> Bool {
        (1...255).contains(key.utf8.count) && key.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    func begin(accountID: String, key: String, requestHash: [UInt8], now: Int64 = wallClockMilliseconds()) async throws -> Lookup {
        let name = accountID + "\u{0}" + key
        if let decided = self.decide(name, requestHash: requestHash, now: now) { return decided }
        // Not in memory: an answer from before a restart, or from a while ago, may be stored.
        if let record = try await self.store.idempotencyRecord(accountID: accountID, key: key), record.createdAt > now - Self.lifetime {
            self.entries.withLock { entries in
                if entries[name] == nil { entries[name] = .done(record) }
            }
        }
        return self.decide(name, requestHash: requestHash, now: now, claim: true) ?? .proceed
    }

    /// What an entry says; with `claim`, takes the key when there is none.
    func decide(_ name: String, requestHash: [UInt8], now: Int64, claim: Bool = false) -> Lookup? {
        self.entries.withLock { entries -> Lookup? in
            switch entries[name] {
            case .inProgress(let hash):
                return .conflict(hash == requestHash ? .idempotencyInProgress() : .idempotencyKeyReused())
            case .done(let record) where record.createdAt > now - Self.lifetime:
                return record.requestHash == requestHash ? .replay(record) : .conflict(.idempotencyKeyReused())
            default:
                guard claim else { return nil }
                entries[name] = .inProgress(requestHash: requestHash)
                return .proceed
            }
        }
    }

    /// The answer was stored (with the messages): replay it from now on.
    func finish(_ record: IdempotencyRecord) {
        self.entries.withLock { entries in
            if entries.count >= self.capacity {
                let cutoff = wallClockMilliseconds() - Self.lifetime / 24
                entries = entries.filter { entry in
                    if case .done(let old) = entry.value { return old.createdAt > cutoff }
                    return true
                }
                if entries.count >= self.capacity { entries = entries.filter { if case .inProgress = $0.value { true } else { false } } }
            }
            entries[record.accountID + "\u{0}" + record.key] = .done(record)
        }
    }

    /// Nothing was stored (the request was refused): the key is free again.
    func release(accountID: String, key: String) {
        self.entries.withLock { entries in
            if case .inProgress = entries[accountID + "\u{0}" + key] { entries[accountID + "\u{0}" + key] = nil }
        }
    }
}
