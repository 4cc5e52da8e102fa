import Logging
import SMPPCore
import ServiceLifecycle
import Synchronization

/// The group commit of new messages: whatever waits goes into one transaction of the message
/// log; then each submission is answered and its messages handed on. Nothing else shares these
/// transactions, so an answer never waits for status or receipt writes (DESIGN.md rule 1: the
/// answer comes only after the commit).
final class SubmitCommitter: Sendable {
    struct Pending: Sendable {
        var messages: [Message]
        var idempotency: IdempotencyRecord?
        var completion: @Sendable (Result<[Message], Refused>) -> Void
    }

    let store: any MessageLog
    let ledger: Ledger
    let inFlight: InFlight
    let maximumPending: Int
    let commitBatch: Int
    let health: StoreHealth
    let logger: Logger
    /// New messages waiting for their commit.
    let submissions = Batcher<Pending>()
    /// Submits handed over and not yet committed (ESME_RMSGQFUL beyond the maximum).
    let pending = Atomic<Int>(0)

    init(store: any MessageLog, ledger: Ledger, inFlight: InFlight, maximumPending: Int, commitBatch: Int, health: StoreHealth, logger: Logger) {
        self.store = store
        self.health = health
        self.ledger = ledger
        self.inFlight = inFlight
        self.maximumPending = maximumPending
        self.commitBatch = commitBatch
        self.logger = logger
    }

    var hasRoom: Bool { self.pending.load(ordering: .relaxed) < self.maximumPending }
    var isClosed: Bool { self.submissions.isClosed }

    /// Hands a submission to the writer; false once it has stopped taking them (shutting down).
    func enqueue(_ submission: Pending) -> Bool {
        self.pending.add(1, ordering: .relaxed)
        guard self.submissions.appendIfOpen(submission) else {
            self.pending.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Takes no more submissions; `run` returns once those waiting are committed.
    func close() { self.submissions.close() }

    /// Commits until closed and drained; `committed` gets each transaction's messages.
    func run(committed: @Sendable ([Message]) -> Void) async {
        while let batch = await self.submissions.next(maximum: self.commitBatch) {
            let messages = batch.flatMap(\.messages)
            var attempt = 0
            while true {
                do {
                    try await self.store.insert(messages, idempotency: batch.compactMap(\.idempotency))
                    self.health.committed(.messages)
                    self.pending.subtract(batch.count, ordering: .relaxed)
                    for pending in batch {
                        GatewayMetrics.shared.accepted(pending.messages.count, ingress: pending.messages[0].ingress)
                        pending.completion(.success(pending.messages))
                    }
                    committed(messages)
                    break
                } catch {
                    attempt += 1
                    if attempt >= 3 || !self.health.canCommit {
                        // Already known to be failing: refused at once rather than retried.
                        self.health.failed(.messages, error, what: "\(messages.count) new messages")
                        // Refused (the customer may retry); they were never stored.
                        self.pending.subtract(batch.count, ordering: .relaxed)
                        for message in messages { self.ledger.credit(message.accountID, message.price) }
                        for pending in batch {
                            GatewayMetrics.shared.refused(Refused(.systemError), ingress: pending.messages[0].ingress)
                            pending.completion(.failure(Refused(.systemError)))
                        }
                        _ = self.inFlight.watermark(removing: messages.map(\.id))
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(50 * attempt))
                }
            }
        }
    }
}
