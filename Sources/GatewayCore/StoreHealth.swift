public import Logging
import Synchronization

/// Whether the store can commit now (issue 15, item 10: fail loudly). The submit path reports
/// each commit; while the last one failed, readiness is false and the APIs answer "try again
/// later" (HTTP 503 with `Retry-After`, SMPP ESME_RSYSERR). Recovery needs no operator: the next
/// commit that works — a customer's, or `probe`'s small write when nothing else is being written
/// — makes the store healthy again. Failures are logged once, then at most every `logInterval`
/// with how many there were.
public final class StoreHealth: Sendable {
    /// The writers that report: new messages (the answer path), and statuses and deliveries.
    public enum Part: String, Sendable {
        case messages, outbox
    }

    struct State {
        var failingParts: Set<Part> = []
        var failing: Bool { !self.failingParts.isEmpty }
        var lastError = ""
        var failuresSinceLog = 0
        var lastLog: ContinuousClock.Instant?
        var lastProbe: ContinuousClock.Instant?
    }

    let state = Mutex(State())
    let logger: Logger
    let logInterval: Duration
    let probeInterval: Duration

    public init(logger: Logger, logInterval: Duration = .seconds(10), probeInterval: Duration = .seconds(1)) {
        self.logger = logger
        self.logInterval = logInterval
        self.probeInterval = probeInterval
    }

    /// True unless the last commit failed.
    public var canCommit: Bool { !self.state.withLock { $0.failing } }

    /// Why the last commit failed (empty when healthy).
    public var lastError: String { self.state.withLock { $0.failing ? $0.lastError : "" } }

    func committed(_ part: Part) {
        let recovered = self.state.withLock { state -> Bool in
            guard state.failingParts.remove(part) != nil else { return false }
            if !state.failing { state.failuresSinceLog = 0 }
            return !state.failing
        }
        if recovered { self.logger.notice("the store commits again: accepting messages") }
    }

    func failed(_ part: Part, _ error: any Error, what: String) {
        let log = self.state.withLock { state -> (first: Bool, count: Int)? in
            let first = !state.failing
            state.failingParts.insert(part)
            state.lastError = "\(error)"
            state.failuresSinceLog += 1
            let now = ContinuousClock.now
            guard first || state.lastLog.map({ now - $0 >= self.logInterval }) ?? true else { return nil }
            state.lastLog = now
            defer { state.failuresSinceLog = 0 }
            return (first, state.failuresSinceLog)
        }
        guard let log else { return }
        self.logger.error(
            log.first ? "the store cannot commit: messages are refused until it can" : "the store still cannot commit",
            metadata: ["what": "\(what)", "error": "\(error)", "failures": "\(log.count)"])
    }

    /// While new messages cannot be committed, at most once per `probeInterval`: tries `write`
    /// (a small real write to the same database) and records what it came to. (The outbox's
    /// writer keeps retrying on its own.) Returns whether the store can commit.
    public func probe(_ write: () async throws -> Void) async -> Bool {
        let due = self.state.withLock { state -> Bool in
            guard state.failingParts.contains(.messages) else { return false }
            let now = ContinuousClock.now
            guard state.lastProbe.map({ now - $0 >= self.probeInterval }) ?? true else { return false }
            state.lastProbe = now
            return true
        }
        if due {
            do {
                try await write()
                self.committed(.messages)
            } catch {
                self.failed(.messages, error, what: "probe")
            }
        }
        return self.canCommit
    }
}
