public import GatewayCore
import Synchronization

/// The API keys of this node's accounts, kept in memory (checked on every request) and in the
/// store (where `create` and `revoke` write through).
public final class APIKeyRegistry: Sendable {
    public enum Failure: Error, Sendable, Hashable {
        case malformed
        case unknown
        case revoked
    }

    let store: any APIKeyStore
    let keys: Mutex<[String: APIKey]>

    public init(store: any APIKeyStore, keys: [APIKey]) {
        self.store = store
        self.keys = Mutex(Dictionary(keys.map { ($0.id, $0) }, uniquingKeysWith: { $1 }))
    }

    /// Loads every key from the store.
    public static func load(from store: any APIKeyStore) async throws -> APIKeyRegistry {
        APIKeyRegistry(store: store, keys: try await store.apiKeys())
    }

    /// The key a bearer token names, if it is one of ours, matches and is not revoked.
    public func authenticate(_ token: some StringProtocol) -> Result<APIKey, Failure> {
        guard let (id, secret) = APIKey.parse(token) else { return .failure(.malformed) }
        guard let key = self.keys.withLock({ $0[String(id)] }), key.matches(secret: secret) else { return .failure(.unknown) }
        guard key.revokedAt == nil else { return .failure(.revoked) }
        return .success(key)
    }

    /// A new key for `accountID`, stored; the text is shown once and never again.
    public func create(accountID: String, label: String = "") async throws -> (key: APIKey, text: String) {
        let (key, text) = APIKey.make(accountID: accountID, label: label)
        try await self.store.save(key)
        self.keys.withLock { $0[key.id] = key }
        return (key, text)
    }

    /// Revokes a key of `accountID`; false if it has no such key.
    public func revoke(id: String, accountID: String, at: Int64 = wallClockMilliseconds()) async throws -> Bool {
        guard var key = self.keys.withLock({ $0[id] }), key.accountID == accountID else { return false }
        if key.revokedAt == nil {
            key.revokedAt = at
            try await self.store.save(key)
            self.keys.withLock { $0[id] = key }
        }
        return true
    }

    public func keys(accountID: String) -> [APIKey] {
        self.keys.withLock { $0.values.filter { $0.accountID == accountID }.sorted { $0.createdAt < $1.createdAt } }
    }
}
