public import Logging
public import SMPPCore
public import ServiceLifecycle
import Synchronization

/// The gateway's engine, independent of how messages arrive, as a thin facade over one room per
/// stage of the message path: `Intake` (validate, DLT, id, price, throughput, charge) →
/// `SubmitCommitter` (group commit, then the answer) → `Dispatcher` (scheduled, expired, the
/// route: carriers or the `SimulatorRoute`) → `CarrierReports` and `StatusEvents` (status
/// changes with their receipts, webhooks and refunds) → `OutboxWriter` (their group commit) →
/// `DeliveryHub` (receipts and MO to the account's bound receivers).
///
/// DESIGN.md rule 1: the completion of `accept` runs only after the message is committed.
public final class Gateway: Service, Sendable {
    public let configuration: Configuration
    public let store: any MessageStore
    public let accounts: AccountRegistry
    /// Balances: prepaid messages are charged here before they are stored.
    public let ledger: Ledger
    /// What carriers report (connectors call it).
    public let carriers: CarrierReports
    let intake: Intake
    let committer: SubmitCommitter
    let dispatcher: Dispatcher
    let outbox: OutboxWriter
    public let requests: MessageRequests
    let hub: DeliveryHub

    public init(
        configuration: Configuration, store: any MessageStore, accounts: AccountRegistry, ledger: Ledger = Ledger(),
        logger: Logger = Logger(label: "shortwave.gateway")
    ) {
        self.configuration = configuration
        self.store = store
        self.accounts = accounts
        self.ledger = ledger
        let clock = accounts.clock
        let validation = SubmitValidation(limits: configuration.validation)
        let ids = MessageIDGenerator(node: configuration.node, clock: { clock.wallMilliseconds })
        self.intake = Intake(
            validation: validation, dlt: configuration.dlt, ids: ids, accounts: accounts, ledger: ledger,
            insufficientBalanceStatus: configuration.insufficientBalanceStatus)
        let inFlight = InFlight(), work = Batcher<OutboxWriter.Work>()
        let events = StatusEvents(accounts: accounts, deliveryExpiry: configuration.deliveryExpiry, refundOn: configuration.refundOn)
        self.hub = DeliveryHub(store: store, clock: clock, logger: logger) { work.append(.acknowledged($0.sequence)) }
        self.storeHealth = StoreHealth(logger: logger)
        self.outbox = OutboxWriter(
            store: store, work: work, ledger: ledger, inFlight: inFlight, hub: self.hub, commitBatch: configuration.commitBatch,
            health: self.storeHealth, logger: logger)
        self.committer = SubmitCommitter(
            store: store, ledger: ledger, inFlight: inFlight, maximumPending: configuration.maximumPendingSubmits,
            commitBatch: configuration.commitBatch, health: self.storeHealth, logger: logger)
        self.dispatcher = Dispatcher(
            store: store, events: events, outbox: self.outbox, inFlight: inFlight, hub: self.hub, clock: clock,
            simulator: configuration.simulator, firstIDOfThisRun: ids.next(), logger: logger)
        self.carriers = CarrierReports(store: store, events: events, outbox: self.outbox, clock: clock)
        self.requests = MessageRequests(store: store, events: events, dispatcher: self.dispatcher, ledger: ledger, validation: validation, clock: clock)
    }

    public var clock: any GatewayClock { self.accounts.clock }

    /// Validates, limits and stores one message; `completion` gets it (with its id) once it is
    /// committed, or the SMPP status that refuses it. Callable from any thread, never blocks.
    public func accept(
        _ fields: SubmitValidation.Fields, account: Account, ingress: Ingress = .smpp, clientReference: String? = nil,
        callbackURL: String? = nil, completion: @escaping @Sendable (Result<Message, Refused>) -> Void
    ) {
        self.accept([fields], account: account, ingress: ingress, clientReference: clientReference, callbackURL: callbackURL) { result in
            completion(result.map { $0[0] })
        }
    }

    /// Several messages stored together, all or nothing (submit_multi, an HTTP batch); `perMessage`
    /// gives each its own reference and callback; `idempotency` is stored in the same transaction.
    public func accept(
        _ fields: [SubmitValidation.Fields], account: Account, ingress: Ingress = .smpp, clientReference: String? = nil,
        callbackURL: String? = nil, perMessage: [(clientReference: String?, callbackURL: String?)]? = nil,
        idempotency: (@Sendable ([Message]) -> IdempotencyRecord)? = nil,
        completion: @escaping @Sendable (Result<[Message], Refused>) -> Void
    ) {
        func refuse(_ refused: Refused) {
            GatewayMetrics.shared.refused(refused, ingress: ingress)
            completion(.failure(refused))
        }
        let admitted = self.intake.admit(
            fields, account: account, ingress: ingress, clientReference: clientReference, callbackURL: callbackURL, perMessage: perMessage)
        let messages: [Message]
        do { messages = try admitted.get() } catch { return refuse(error) }
        guard self.committer.hasRoom, self.outbox.waiting < self.configuration.maximumPendingOutbox else {
            return refuse(Refused(.messageQueueFull))
        }
        // Charged last, once nothing else can refuse it; given back if it cannot be stored.
        if let refused = self.intake.charge(messages, account: account) { return refuse(refused) }
        // In flight from now: the dispatch watermark must stay at or below it until its status is stored.
        self.outbox.inFlight.track(messages.lazy.filter { $0.scheduledAt == nil }.map(\.id))
        guard self.committer.enqueue(.init(messages: messages, idempotency: idempotency?(messages), completion: completion)) else {
            // Shutting down: the writer has stopped taking messages. Refused, to be sent again.
            _ = self.outbox.inFlight.watermark(removing: messages.map(\.id))
            self.intake.refund(messages, account: account)
            return refuse(Refused(.messageQueueFull))
        }
    }

    /// False once the gateway is shutting down (readiness).
    public var isAcceptingMessages: Bool { !self.committer.isClosed }

    /// Whether the store can commit (reported by its writers).
    public let storeHealth: StoreHealth

    /// Ready to take messages: not shutting down, and the store commits — while it did not, a
    /// small write (at most once a second) checks whether it can again.
    public func isReady() async -> Bool {
        guard self.isAcceptingMessages else { return false }
        return await self.storeHealth.probe {
            try await self.store.save(setting: "store_probe", value: String(self.clock.wallMilliseconds))
        }
    }
    public var validationLimits: SubmitValidation.Limits { self.configuration.validation }

    /// Checks fields without storing anything (submit_multi's per-destination answers).
    public func validate(_ fields: SubmitValidation.Fields) -> CommandStatus? { self.intake.validationStatus(fields) }

    /// Checks fields as `accept` would for `account` (validation, then DLT), storing nothing.
    public func check(_ fields: SubmitValidation.Fields, account: Account) -> Refused? { self.intake.check(fields, account: account) }

    /// The customer's other requests (query, cancel, replace): `gateway.requests.cancel(…)`.

    /// A receiver of `target.accountID` is ready for deliveries (owed ones load from the store).
    public func attach(_ target: any DeliveryTarget) { self.hub.attach(target) }
    public func detach(_ target: any DeliveryTarget) { self.hub.detach(target) }

    /// Sends messages to `route` (the carrier router) from now on instead of the simulator.
    public func setRoute(_ route: any MessageRoute) { self.dispatcher.route.withLock { $0 = route } }
    /// The built-in carrier simulator, for connectors of kind "simulator".
    public var simulator: any MessageRoute { self.dispatcher.simulator }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            // Each stage stops when the one before it has: submits, then their dispatch, then the outbox.
            group.addTask {
                await self.committer.run { self.dispatcher.enqueue($0) }
                self.dispatcher.close()
            }
            group.addTask {
                await self.dispatcher.run()
                self.outbox.close()
            }
            group.addTask {
                await self.outbox.run()
                self.hub.close()  // loads of owed deliveries stop with the outbox
            }
            group.addTask { await self.hub.run() }
            group.addTask { await self.dispatcher.resumeFromStore() }
            group.addTask { await self.dispatcher.sweepLoop() }
            // Upkeep (WAL checkpoints) runs until the graceful shutdown cancels it.
            group.addTask { await cancelWhenGracefulShutdown { await self.store.runMaintenance() } }
            try? await gracefulShutdown()
            // The SMPP server (started after this service) has quiesced by now.
            self.committer.close()
        }
    }
}
