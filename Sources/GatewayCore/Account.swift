import Crypto
import _CryptoExtras
import Foundation

/// A customer of the gateway.
public struct Account: Sendable, Hashable {
    public enum BindKind: String, Sendable, Hashable, CaseIterable, Codable {
        case transmitter, receiver, transceiver
    }

    public var id: String
    /// SMPP system_id (≤ 15 characters).
    public var systemID: String
    public var password: PasswordHash
    public var allowedBinds: Set<BindKind>
    /// Concurrent binds on this node (the next gets ESME_RBINDFAIL).
    public var maxBinds: Int
    /// Messages (segments) per second across its binds; `nil` unlimited. Excess gets ESME_RTHROTTLED.
    public var messagesPerSecond: Int?
    /// deliver_sm this gateway keeps outstanding per receiver bind of the account.
    public var window: Int
    public var enabled: Bool
    /// Numbers and short codes it owns: MO to them is delivered to this account.
    public var numbers: [String]
    public var createdAt: Int64
    /// Sender ids (numbers or alphanumeric names) it may send from; empty: any valid sender.
    public var senders: [String]
    /// HTTP requests per second per API key; `nil` unlimited. Excess gets 429.
    public var requestsPerSecond: Int?
    /// Where status changes are POSTed for messages without their own `callback_url`.
    public var webhookURL: String?
    /// Where inbound (MO) messages are POSTed.
    public var moWebhookURL: String?
    /// The key webhooks are signed with (HMAC-SHA256).
    public var webhookSecret: String
    /// Where the account's delivery reports go.
    public var reports: ReportDestination
    /// Addresses its binds and HTTP calls may come from; empty: any.
    public var allowedIPs: IPAllowList
    /// Its India DLT entities, headers and templates.
    public var dlt: DLTRegistration
    /// Prepaid or postpaid, and its rate card.
    public var billing: Billing

    /// Where delivery reports go: SMPP receipts (as registered_delivery asks), webhooks (to the
    /// message's callback_url or the account's webhook_url), or both.
    public enum ReportDestination: String, Sendable, Hashable, CaseIterable, Codable {
        case smpp, webhook, both
        public var smpp: Bool { self != .webhook }
        public var webhook: Bool { self != .smpp }
    }

    public init(
        id: String, systemID: String, password: PasswordHash, allowedBinds: Set<BindKind> = Set(BindKind.allCases),
        maxBinds: Int = 16, messagesPerSecond: Int? = nil, window: Int = 100, enabled: Bool = true, numbers: [String] = [],
        createdAt: Int64 = wallClockMilliseconds(), senders: [String] = [], requestsPerSecond: Int? = nil, webhookURL: String? = nil,
        moWebhookURL: String? = nil, webhookSecret: String = "whsec_" + Credentials.random(length: 32), reports: ReportDestination = .both,
        allowedIPs: IPAllowList = try! IPAllowList([]), dlt: DLTRegistration = DLTRegistration(), billing: Billing = Billing()
    ) {
        self.billing = billing
        self.dlt = dlt
        self.reports = reports
        self.allowedIPs = allowedIPs
        self.senders = senders
        self.requestsPerSecond = requestsPerSecond
        self.webhookURL = webhookURL
        self.moWebhookURL = moWebhookURL
        self.webhookSecret = webhookSecret
        self.id = id
        self.systemID = systemID
        self.password = password
        self.allowedBinds = allowedBinds
        self.maxBinds = maxBinds
        self.messagesPerSecond = messagesPerSecond
        self.window = window
        self.enabled = enabled
        self.numbers = numbers
        self.createdAt = createdAt
    }
}

extension Account {
    /// Whether the account may send from `sender` (its list, or any when the list is empty).
    public func maySend(from sender: String) -> Bool {
        guard !self.senders.isEmpty else { return true }
        let bare = sender.hasPrefix("+") ? String(sender.dropFirst()) : sender
        return self.senders.contains { $0 == sender || $0 == bare || $0 == "+" + bare }
    }
}

/// A salted password hash (PBKDF2-HMAC-SHA256); only this is stored, never the password.
///
/// Text form: `pbkdf2-sha256$<rounds>$<salt, base64>$<hash, base64>`.
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    public var rounds: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    /// PBKDF2-SHA256 iterations for new passwords: ~100 ms on a 2-core machine, paid once per
    /// password per run (a bind that verified caches it). A stored hash keeps the rounds it was
    /// made with (they are in its text) until its password is changed.
    public static let defaultRounds = 310_000

    public init(rounds: Int, salt: [UInt8], hash: [UInt8]) {
        self.rounds = rounds
        self.salt = salt
        self.hash = hash
    }

    /// Hashes `password` with a fresh random salt.
    public init(password: String, rounds: Int = PasswordHash.defaultRounds) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(rounds: rounds, salt: salt, hash: Self.derive(password, salt: salt, rounds: rounds))
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]),
            let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3]))
        else { return nil }
        self.init(rounds: rounds, salt: Array(salt), hash: Array(hash))
    }

    public var description: String {
        "pbkdf2-sha256$\(self.rounds)$\(Data(self.salt).base64EncodedString())$\(Data(self.hash).base64EncodedString())"
    }

    /// Whether `password` is the one hashed (constant-time comparison).
    public func verify(_ password: String) -> Bool {
        constantTimeEqual(Self.derive(password, salt: self.salt, rounds: self.rounds), self.hash)
    }

    static func derive(_ password: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Random credentials: an SMPP password (8 characters, the v3.4 maximum) or an id.
public enum Credentials {
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    public static func random(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// Why `password` may not be a new SMPP password, or nil. SMPP v3.4 allows at most 8
    /// characters, so new passwords use all 8 (shorter ones fall to guessing far sooner), of
    /// printable ASCII, and not one character repeated.
    public static func passwordProblem(_ password: String) -> String? {
        guard password.utf8.count == 8, password.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return "an SMPP password is 8 printable ASCII characters (the most SMPP v3.4 allows; shorter ones are too easy to guess)"
        }
        guard Set(password.utf8).count > 1 else { return "a password of one character repeated is too easy to guess" }
        return nil
    }
}

/// Whether two secrets' digests are equal, in time that does not depend on where they differ.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

/// Lower-case hexadecimal of some bytes (digests, signatures).
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
