import Crypto

/// An HTTP API key of an account. The key itself (`sw_<id>_<secret>`) is shown once, when it is
/// made; only the SHA-256 of its secret is kept. Keys are long and random, so a fast hash is
/// enough (unlike passwords): checking one costs a microsecond, not a PBKDF2 run.
public struct APIKey: Sendable, Hashable {
    /// The public part, also the key's name in listings and `DELETE /v2/keys/{id}`.
    public var id: String
    public var accountID: String
    public var secretHash: [UInt8]
    public var label: String
    public var createdAt: Int64
    public var revokedAt: Int64?

    public init(id: String, accountID: String, secretHash: [UInt8], label: String = "", createdAt: Int64, revokedAt: Int64? = nil) {
        self.id = id
        self.accountID = accountID
        self.secretHash = secretHash
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// A new key for `accountID`: the record to store and the key text to show once.
    public static func make(accountID: String, label: String = "", now: Int64 = wallClockMilliseconds()) -> (key: APIKey, text: String) {
        let id = Credentials.random(length: 12)
        let secret = Credentials.random(length: 32)
        let key = APIKey(id: id, accountID: accountID, secretHash: Self.hash(secret), label: label, createdAt: now)
        return (key, "sw_\(id)_\(secret)")
    }

    /// The id and secret of a key text, if it has the shape of one.
    public static func parse(_ text: some StringProtocol) -> (id: Substring, secret: Substring)? {
        let text = Substring(text)
        guard text.hasPrefix("sw_") else { return nil }
        let rest = text.dropFirst(3)
        guard let separator = rest.firstIndex(of: "_") else { return nil }
        let id = rest[..<separator]
        let secret = rest[rest.index(after: separator)...]
        guard id.count == 12, secret.count == 32 else { return nil }
        return (id, secret)
    }

    public static func hash(_ secret: some StringProtocol) -> [UInt8] { Array(SHA256.hash(data: Array(secret.utf8))) }

    /// Whether `secret` is this key's (constant-time comparison).
    public func matches(secret: some StringProtocol) -> Bool { constantTimeEqual(Self.hash(secret), self.secretHash) }
}

/// A request answered once and replayed for 24 hours to the same `Idempotency-Key` (HTTP).
/// Stored in the same transaction as the messages it created, so a retry after a crash finds it.
public struct IdempotencyRecord: Sendable, Hashable {
    public var accountID: String
    public var key: String
    /// SHA-256 of the method, path and body: the same key with another request is refused.
    public var requestHash: [UInt8]
    public var status: Int
    public var body: [UInt8]
    public var createdAt: Int64

    public init(accountID: String, key: String, requestHash: [UInt8], status: Int, body: [UInt8], createdAt: Int64) {
        self.accountID = accountID
        self.key = key
        self.requestHash = requestHash
        self.status = status
        self.body = body
        self.createdAt = createdAt
    }
}

/// A signed HTTP POST owed to a customer: a status change or an inbound message. Stored in the
/// outbox with the change that caused it; removed once the customer's server answered 2xx, or
/// when it expires.
public struct Webhook: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case status = "message.status"
        case inbound = "message.inbound"
    }

    /// Assigned by the store, increasing; 0 before it is stored.
    public var sequence: Int64
    public var accountID: String
    public var kind: Kind
    public var url: String
    /// The JSON document POSTed.
    public var body: [UInt8]
    public var createdAt: Int64
    /// Not to be tried again before this time (a claim by a sender also moves it on).
    public var nextAttemptAt: Int64
    public var attempts: Int
    public var expiresAt: Int64

    public init(
        sequence: Int64 = 0, accountID: String, kind: Kind, url: String, body: [UInt8], createdAt: Int64, nextAttemptAt: Int64? = nil,
        attempts: Int = 0, expiresAt: Int64
    ) {
        self.sequence = sequence
        self.accountID = accountID
        self.kind = kind
        self.url = url
        self.body = body
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.attempts = attempts
        self.expiresAt = expiresAt
    }
}
