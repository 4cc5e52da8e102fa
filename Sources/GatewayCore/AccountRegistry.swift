import Crypto
import Synchronization

/// The accounts this node serves, their live binds and throughput limits.
public final class AccountRegistry: Sendable {
    struct State {
        var bySystemID: [String: Account] = [:]
        var byID: [String: Account] = [:]
        var byNumber: [String: String] = [:]
        var binds: [String: Int] = [:]
        var limits: [String: ThroughputLimit] = [:]
        /// systemID → SHA-256 of the last password that verified (PBKDF2 is slow on purpose;
        /// a reconnecting bind pool should not pay it every time).
        var verified: [String: [UInt8]] = [:]
    }

    private let state = Mutex(State())
    /// Throughput limits read it (a manual one in tests).
    public let clock: any GatewayClock

    public init(_ accounts: [Account] = [], clock: any GatewayClock = SystemClock()) {
        self.clock = clock
        for account in accounts { self.upsert(account) }
    }

    public func upsert(_ account: Account) {
        self.state.withLock { state in
            if let old = state.byID[account.id] {
                state.bySystemID[old.systemID] = nil
                state.verified[old.systemID] = nil
                for number in old.numbers { state.byNumber[number] = nil }
            }
            state.bySystemID[account.systemID] = account
            state.byID[account.id] = account
            for number in account.numbers { state.byNumber[number] = account.id }
            state.limits[account.id] = account.messagesPerSecond.map { ThroughputLimit(rate: $0, now: self.clock.monotonicNanoseconds) }
        }
    }

    /// Forgets an account (its live binds are the caller's to close).
    public func remove(id: String) {
        self.state.withLock { state in
            guard let old = state.byID.removeValue(forKey: id) else { return }
            state.bySystemID[old.systemID] = nil
            state.verified[old.systemID] = nil
            for number in old.numbers where state.byNumber[number] == id { state.byNumber[number] = nil }
            state.limits[id] = nil
        }
    }

    public func account(id: String) -> Account? { self.state.withLock { $0.byID[id] } }
    public func account(systemID: String) -> Account? { self.state.withLock { $0.bySystemID[systemID] } }
    /// The account that owns `number` (MO routing).
    public func owner(of number: String) -> Account? {
        self.state.withLock { state in
            let bare = number.hasPrefix("+") ? String(number.dropFirst()) : number
            return (state.byNumber[number] ?? state.byNumber[bare] ?? state.byNumber["+" + bare]).flatMap { state.byID[$0] }
        }
    }

    public var all: [Account] { self.state.withLock { Array($0.byID.values) } }

    /// Checks a bind and, when it passes, counts it against the account's bind limit (release
    /// it with `unbound`). The password is checked by `verifier` (off the serving threads); an
    /// unknown system_id and an address outside the account's allow-list cost one check too.
    /// The front end turns refusals into statuses (by default one status for all three of
    /// unknown system_id, wrong password and address: nothing to enumerate).
    public func bind(
        systemID: String, password: String, kind: Account.BindKind, from address: String? = nil, verifier: PasswordVerifier
    ) async -> Result<Account, BindRefusal> {
        // No account, or an address outside its allow-list: refused after a key derivation all
        // the same, so that the time taken says nothing about which.
        guard let account = self.account(systemID: systemID) else {
            guard await verifier.verify(password, against: nil) != nil else { return .failure(.busy) }
            return .failure(.unknownSystemID)
        }
        guard account.allowedIPs.allows(address) else {
            guard await verifier.verify(password, against: nil) != nil else { return .failure(.busy) }
            return .failure(.addressNotAllowed)
        }
        let digest = Array(SHA256.hash(data: Array(password.utf8)))
        let cached = self.state.withLock { $0.verified[systemID] == digest }
        if !cached {
            switch await verifier.verify(password, against: account.password) {
            case nil: return .failure(.busy)
            case false?: return .failure(.wrongPassword)
            case true?: self.state.withLock { $0.verified[systemID] = digest }
            }
        }
        guard account.enabled else { return .failure(.disabled) }
        guard account.allowedBinds.contains(kind) else { return .failure(.bindTypeNotAllowed) }
        return self.state.withLock { state in
            let count = state.binds[account.id, default: 0]
            guard count < account.maxBinds else { return .failure(.tooManyBinds) }
            state.binds[account.id] = count + 1
            return .success(account)
        }
    }

    /// A bind counted by `bind` ended.
    public func unbound(accountID: String) {
        self.state.withLock { state in
            state.binds[accountID] = max(0, state.binds[accountID, default: 0] - 1)
        }
    }

    public func bindCount(accountID: String) -> Int { self.state.withLock { $0.binds[accountID, default: 0] } }

    /// Whether `segments` more may pass the account's throughput limit now.
    public func admit(accountID: String, segments: Int) -> Bool {
        guard let limit = self.state.withLock({ $0.limits[accountID] ?? nil }) else { return true }
        return limit.take(segments, now: self.clock.monotonicNanoseconds)
    }
}

/// Why a bind was refused.
public enum BindRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownSystemID
    case wrongPassword
    case disabled
    case bindTypeNotAllowed
    case tooManyBinds
    case addressNotAllowed
    /// Too many password checks waiting: try again shortly.
    case busy

    public var description: String {
        switch self {
        case .unknownSystemID: "unknown system_id"
        case .wrongPassword: "wrong password"
        case .disabled: "account disabled"
        case .bindTypeNotAllowed: "bind type not allowed for this account"
        case .tooManyBinds: "too many binds for this account"
        case .addressNotAllowed: "this address may not bind for this account"
        case .busy: "too many password checks waiting"
        }
    }
}
