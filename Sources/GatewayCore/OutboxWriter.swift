import Logging
import Synchronization

/// The group commit of everything that happens to stored messages: status changes with their
/// receipts, webhooks and refunds, MO, acknowledged deliveries, parts delivered, the dispatch
/// watermark — one transaction per turn; then the stored deliveries go to the receivers. A
/// failed commit is tried again: nothing here is ever dropped.
final class OutboxWriter: Sendable {
    /// One item of work for the outbox.
    enum Work: Sendable {
        case status(StatusChange)
        case delivery(Delivery)
        case webhook(Webhook)
        case acknowledged(Int64)
        case deliveredPart(DeliveredPart)
    }

    let store: any Outbox
    let ledger: Ledger
    let inFlight: InFlight
    let hub: DeliveryHub
    let commitBatch: Int
    let logger: Logger
    let work: Batcher<Work>

    let health: StoreHealth

    init(
        store: any Outbox, work: Batcher<Work>, ledger: Ledger, inFlight: InFlight, hub: DeliveryHub, commitBatch: Int, health: StoreHealth,
        logger: Logger
    ) {
        self.health = health
        self.work = work
        self.store = store
        self.ledger = ledger
        self.inFlight = inFlight
        self.hub = hub
        self.commitBatch = commitBatch
        self.logger = logger
    }

    /// Work waiting for its commit (new messages are refused beyond a maximum: the outbox must
    /// keep up with what is accepted).
    var waiting: Int { self.work.count }

    func append(_ item: Work) { self.work.append(item) }
    func append(contentsOf items: some Sequence<Work>) { self.work.append(contentsOf: items) }
    /// Takes no more work; `run` returns once what waits is committed.
    func close() { self.work.close() }

    func run() async {
        while let batch = await self.work.next(maximum: self.commitBatch) {
            var write = WriteBatch()
            for item in batch {
                switch item {
                case .status(let change):
                    write.changes.append(change)
                    GatewayMetrics.shared.statusChanged(change.status)
                case .delivery(let delivery): write.deliveries.append(delivery)
                case .webhook(let webhook): write.webhooks.append(webhook)
                case .acknowledged(let sequence): write.acknowledged.append(sequence)
                case .deliveredPart(let part): write.deliveredParts.append(part)
                }
            }
            write.dispatchWatermark = self.inFlight.watermark(removing: write.changes.lazy.map(\.messageID))
            var attempt = 0
            while true {
                do {
                    let outcome = try await self.store.write(write)
                    for credit in outcome.credits { self.ledger.credit(credit.accountID, credit.amount) }
                    self.hub.enqueue(outcome.deliveries)
                    self.health.committed(.outbox)
                    break
                } catch {
                    attempt += 1
                    // Kept and retried (never dropped); logged at a bounded rate.
                    self.health.failed(.outbox, error, what: "status changes and deliveries (retrying)")
                    try? await Task.sleep(for: .milliseconds(min(1_000, 50 * attempt)))
                }
            }
        }
    }
}
