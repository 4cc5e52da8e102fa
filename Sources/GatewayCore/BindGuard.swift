import Dispatch
public import Logging
import Metrics
import Synchronization

/// Slows password guessing (issue 15, item 2). Failed binds are counted per peer address and per
/// system_id (known or not — an unknown one is treated like any other, so counting reveals
/// nothing). The first `freeFailures` of each cost nothing; after that the address, or the
/// system_id, is locked out for a delay that doubles with each further failure (`baseDelay` up
/// to `maximumDelay`), during which its binds are refused without a password check. A success
/// clears both counts; an address that bound an account successfully before is not held back by
/// that account's lockout (a guesser elsewhere cannot lock a customer out). Counts are forgotten
/// `forgetAfter` the last failure; at most `capacity` of each are kept.
public final class BindGuard: Sendable {
    public struct Configuration: Sendable {
        public var freeFailures: Int
        public var baseDelayMilliseconds: Int64
        public var maximumDelayMilliseconds: Int64
        public var forgetAfterMilliseconds: Int64
        public var capacity: Int

        public init(
            freeFailures: Int = 5, baseDelayMilliseconds: Int64 = 1_000, maximumDelayMilliseconds: Int64 = 15 * 60_000,
            forgetAfterMilliseconds: Int64 = 60 * 60_000, capacity: Int = 100_000
        ) {
            self.freeFailures = freeFailures
            self.baseDelayMilliseconds = baseDelayMilliseconds
            self.maximumDelayMilliseconds = maximumDelayMilliseconds
            self.forgetAfterMilliseconds = forgetAfterMilliseconds
            self.capacity = capacity
        }
    }

    struct Record {
        var failures = 0
        var lastFailure: Int64 = 0
        var lockedUntil: Int64 = 0
    }

    struct State {
        var addresses: [String: Record] = [:]
        var systemIDs: [String: Record] = [:]
        /// system_id → addresses that bound it (a few, most recent last).
        var trusted: [String: [String]] = [:]
    }

    public enum Verdict: Equatable, Sendable {
        case allowed
        /// Refused without a check until then (milliseconds of the gateway clock).
        case lockedOut(until: Int64, by: String)
    }

    let configuration: Configuration
    let clock: any GatewayClock
    let logger: Logger
    let state = Mutex(State())
    static let lockouts = Counter(label: "shortwave_bind_lockouts_total")
    static let refusedWhileLocked = Counter(label: "shortwave_binds_refused_locked_out_total")

    public init(_ configuration: Configuration = .init(), clock: any GatewayClock = SystemClock(), logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Whether a bind from `address` for `systemID` may be checked now.
    public func check(address: String, systemID: String) -> Verdict {
        let now = self.clock.wallMilliseconds
        let verdict = self.state.withLock { state -> Verdict in
            if let record = state.addresses[address], record.lockedUntil > now { return .lockedOut(until: record.lockedUntil, by: "address \(address)") }
            if let record = state.systemIDs[systemID], record.lockedUntil > now, !(state.trusted[systemID] ?? []).contains(address) {
                return .lockedOut(until: record.lockedUntil, by: "system_id \(systemID)")
            }
            return .allowed
        }
        if verdict != .allowed { Self.refusedWhileLocked.increment() }
        return verdict
    }

    /// A bind failed its password (or named no account).
    public func failed(address: String, systemID: String) {
        let now = self.clock.wallMilliseconds
        let locked = self.state.withLock { state -> [(String, Int, Int64)] in
            var locked: [(String, Int, Int64)] = []
            if let (failures, until) = self.count(&state.addresses, address, now: now) { locked.append(("address \(address)", failures, until)) }
            if let (failures, until) = self.count(&state.systemIDs, systemID, now: now) { locked.append(("system_id \(systemID)", failures, until)) }
            return locked
        }
        for (what, failures, until) in locked {
            Self.lockouts.increment()
            self.logger.warning(
                "bind attempts locked out after failed passwords",
                metadata: ["locked": "\(what)", "failures": "\(failures)", "for_ms": "\(until - now)"])
        }
    }

    /// A bind passed the password check: its address and system_id start afresh.
    public func succeeded(address: String, systemID: String) {
        self.state.withLock { state in
            state.addresses[address] = nil
            state.systemIDs[systemID] = nil
            var trusted = state.trusted[systemID] ?? []
            trusted.removeAll { $0 == address }
            trusted.append(address)
            state.trusted[systemID] = Array(trusted.suffix(16))
            if state.trusted.count > self.configuration.capacity { state.trusted.removeAll() }
        }
    }

    /// Counts a failure; returns the failures and the lockout's end when it locks out.
    private func count(_ records: inout [String: Record], _ key: String, now: Int64) -> (Int, Int64)? {
        var record = records[key] ?? Record()
        if now - record.lastFailure > self.configuration.forgetAfterMilliseconds { record = Record() }
        record.failures += 1
        record.lastFailure = now
        var lockout: (Int, Int64)?
        let beyond = record.failures - self.configuration.freeFailures
        if beyond > 0 {
            let delay = min(self.configuration.maximumDelayMilliseconds, self.configuration.baseDelayMilliseconds << min(beyond - 1, 30))
            record.lockedUntil = now + delay
            lockout = (record.failures, record.lockedUntil)
        }
        if records[key] == nil, records.count >= self.configuration.capacity {
            // Full: forget what is old; if nothing is, the oldest half.
            records = records.filter { now - $0.value.lastFailure <= self.configuration.forgetAfterMilliseconds }
            if records.count >= self.configuration.capacity {
                let keep = records.sorted { $0.value.lastFailure > $1.value.lastFailure }.prefix(self.configuration.capacity / 2)
                records = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
        }
        records[key] = record
        return lockout
    }
}

/// PBKDF2 on threads of its own, never on the event loops or the cooperative pool that serves
/// traffic, `concurrency` at a time, at most `maximumWaiting` queued (beyond: nil, "busy"). A bind
/// for an unknown system_id is checked against a hash of nothing with the same cost, so the
/// answer takes as long as a wrong password's.
public final class PasswordVerifier: Sendable {
    let queues: [DispatchQueue]
    let next = Atomic<Int>(0)
    let waiting = Atomic<Int>(0)
    let maximumWaiting: Int
    let decoy: PasswordHash
    /// Key derivations run (tests: an unknown system_id costs one too).
    let derivationCount = Atomic<Int>(0)

    public init(concurrency: Int = 2, maximumWaiting: Int = 256, rounds: Int = PasswordHash.defaultRounds) {
        self.queues = (0..<max(1, concurrency)).map { DispatchQueue(label: "shortwave.password-\($0)") }
        self.maximumWaiting = maximumWaiting
        // Checking against it costs `rounds` like any other; making it costs nothing.
        var generator = SystemRandomNumberGenerator()
        self.decoy = PasswordHash(
            rounds: rounds, salt: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) },
            hash: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public var derivations: Int { self.derivationCount.load(ordering: .relaxed) }

    /// Whether `password` matches `hash` (a missing account's: never, at the same cost); nil
    /// when too many checks wait already.
    public func verify(_ password: String, against hash: PasswordHash?) async -> Bool? {
        guard self.waiting.add(1, ordering: .relaxed).newValue <= self.maximumWaiting else {
            self.waiting.subtract(1, ordering: .relaxed)
            return nil
        }
        let queue = self.queues[self.next.add(1, ordering: .relaxed).newValue % self.queues.count]
        return await withCheckedContinuation { continuation in
            queue.async {
                self.derivationCount.add(1, ordering: .relaxed)
                let matches = (hash ?? self.decoy).verify(password) && hash != nil
                self.waiting.subtract(1, ordering: .relaxed)
                continuation.resume(returning: matches)
            }
        }
    }
}
