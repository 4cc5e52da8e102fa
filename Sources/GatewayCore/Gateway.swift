public import Logging
public import NIOCore
public import SMPPCore
public import ServiceLifecycle
import Synchronization

/// The gateway's engine, independent of how messages arrive: accepts messages (validate, limit,
/// id, group commit, then the answer), dispatches them to their route (the carrier simulator in
/// this version), turns status changes into stored receipts and MO into stored deliveries, and
/// hands those to the bound receivers of their account.
///
/// DESIGN.md rule 1: the completion of `accept` runs only after the message is committed.
public final class Gateway: Service, Sendable {
    public struct Configuration: Sendable {
        /// This node's id in message ids (0…1023), distinct per node of a cluster.
        public var node: Int
        public var validation: SubmitValidation.Limits
        public var simulator: CarrierSimulator.Configuration
        /// How long a receipt or MO waits for a receiver before it is dropped.
        public var deliveryExpiry: Duration
        /// Submits waiting for their commit beyond which new ones get ESME_RMSGQFUL.
        public var maximumPendingSubmits: Int
        /// Status changes, receipts and acknowledgements waiting for the outbox writer beyond which
        /// new messages get ESME_RMSGQFUL (the outbox must keep up with what is accepted).
        public var maximumPendingOutbox: Int
        /// Most messages per transaction.
        public var commitBatch: Int
        /// India DLT scrubbing of messages to DLT destinations.
        public var dlt: DLTRules
        /// The SMPP status of a prepaid message the balance does not cover (0x45 ESME_RSUBMITFAIL).
        public var insufficientBalanceStatus: CommandStatus
        /// Final statuses that give a message's price back: it never reached a carrier.
        public var refundOn: Set<MessageStatus>

        public init(
            node: Int = Int.random(in: 0...1023), validation: SubmitValidation.Limits = .init(),
            simulator: CarrierSimulator.Configuration = .standard, deliveryExpiry: Duration = .seconds(72 * 3600),
            maximumPendingSubmits: Int = 100_000, maximumPendingOutbox: Int = 200_000, commitBatch: Int = 8_192,
            dlt: DLTRules = DLTRules(), insufficientBalanceStatus: CommandStatus = CommandStatus(rawValue: 0x45),
            refundOn: Set<MessageStatus> = [.rejected, .failed, .expired, .deleted]
        ) {
            self.insufficientBalanceStatus = insufficientBalanceStatus
            self.refundOn = refundOn
            self.dlt = dlt
            self.maximumPendingOutbox = maximumPendingOutbox
            self.node = node
            self.validation = validation
            self.simulator = simulator
            self.deliveryExpiry = deliveryExpiry
            self.maximumPendingSubmits = maximumPendingSubmits
            self.commitBatch = commitBatch
        }
    }

    struct PendingSubmit: Sendable {
        var messages: [Message]
        var idempotency: IdempotencyRecord?
        var completion: @Sendable (Result<[Message], Refused>) -> Void
    }

    /// What the outbox writer commits: status changes with their receipts, MO, and acknowledged
    /// deliveries — one transaction per turn of its loop.
    enum Work: Sendable {
        case status(StatusChange)
        case delivery(Delivery)
        case webhook(Webhook)
        case acknowledged(Int64)
        case deliveredPart(DeliveredPart)
    }

    public let configuration: Configuration
    public let store: any MessageStore
    public let accounts: AccountRegistry
    /// The domain's clock: the accounts' (one clock for limits, timestamps and expiry).
    public var clock: any GatewayClock { self.accounts.clock }
    /// Balances: prepaid messages are charged here before they are stored.
    public let ledger: Ledger
    /// Where messages go instead of the simulator (an upstream carrier connector), once set.
    let route = Mutex<(any MessageRoute)?>(nil)
    let ids: MessageIDGenerator
    let validation: SubmitValidation
    let simulator: CarrierSimulator
    let logger: Logger
    /// New messages waiting for their commit.
    let submissions = Batcher<PendingSubmit>()
    let work = Batcher<Work>()
    /// Committed messages on their way to the route.
    let dispatches = Batcher<[Message]>()
    let receiptDates = ReceiptDateCache()
    /// Submits handed to the writer and not yet committed (ESME_RMSGQFUL beyond the maximum).
    let pendingSubmits = Atomic<Int>(0)
    let scheduled = Mutex<[Message]>([])
    let hub: DeliveryHub
    /// Messages below this id were stored before this run started (and may need dispatching).
    let firstIDOfThisRun: MessageID
    /// Messages stored and not yet moved on from `queued` (scheduled ones aside): the smallest
    /// is the dispatch watermark each commit records, so that a restart looks no further back.
    let inFlight = Mutex<(ids: Set<MessageID>, highest: MessageID, resumed: Bool)>((Set(), MessageID(rawValue: 0), false))

    public init(
        configuration: Configuration, store: any MessageStore, accounts: AccountRegistry, ledger: Ledger = Ledger(),
        logger: Logger = Logger(label: "shortwave.gateway")
    ) {
        self.ledger = ledger
        self.configuration = configuration
        self.store = store
        self.accounts = accounts
        self.ids = MessageIDGenerator(node: configuration.node, clock: { [clock = accounts.clock] in clock.wallMilliseconds })
        self.validation = SubmitValidation(limits: configuration.validation)
        self.simulator = CarrierSimulator(configuration: configuration.simulator)
        self.logger = logger
        self.firstIDOfThisRun = self.ids.next()
        let work = self.work
        self.hub = DeliveryHub(
            load: { [logger] account, after, limit in
                do {
                    return try await store.pendingDeliveries(accountID: account, after: after, limit: limit)
                } catch {
                    logger.error("could not load deliveries", metadata: ["account": "\(account)", "error": "\(error)"])
                    return nil
                }
            },
            acknowledged: { delivery in
                GatewayMetrics.shared.deliveryAcknowledged()
                work.append(.acknowledged(delivery.sequence))
            })
    }

    // MARK: accepting

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

    /// Several messages stored together, all or nothing (submit_multi, an HTTP batch). Each
    /// `fields` must have been validated by the caller if per-message answers are needed
    /// (`validate`). `clientReference` and `callbackURL` apply to all of them unless
    /// `perMessage` gives each its own; `idempotency` is stored in the same transaction.
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
        let now = self.clock.wallMilliseconds
        var messages: [Message] = []
        messages.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            switch self.validation.validate(field, now: now) {
            case .failure(let refused):
                return refuse(refused)
            case .success(var message):
                if let violation = self.configuration.dlt.check(message, registration: account.dlt, now: now) {
                    return refuse(Refused(self.configuration.dlt.rejectStatus, code: violation.code, reason: violation.description))
                }
                message.id = self.ids.next()
                message.accountID = account.id
                message.ingress = ingress
                message.clientReference = perMessage?[index].clientReference ?? clientReference
                message.callbackURL = perMessage?[index].callbackURL ?? callbackURL
                message.price = account.billing.price(destination: message.destination.address, segments: message.segments)
                messages.append(message)
            }
        }
        let segments = messages.reduce(0) { $0 + $1.segments }
        guard self.accounts.admit(accountID: account.id, segments: segments) else { return refuse(Refused(.throttled)) }
        guard self.pendingSubmits.load(ordering: .relaxed) < self.configuration.maximumPendingSubmits,
            self.work.count < self.configuration.maximumPendingOutbox
        else {
            return refuse(Refused(.messageQueueFull))
        }
        // Charged last, once nothing else can refuse it; stored with the messages (the same
        // transaction), given back if they cannot be stored.
        let price = messages.reduce(0) { $0 + $1.price }
        guard self.ledger.charge(account.id, price, prepaid: account.billing.mode == .prepaid) else {
            return refuse(
                Refused(
                    self.configuration.insufficientBalanceStatus, code: "insufficient_balance",
                    reason: "the balance does not cover \(price) \(account.billing.currency) minor units"))
        }
        self.pendingSubmits.add(1, ordering: .relaxed)
        // In flight from now: the dispatch watermark must stay at or below it until its status is stored.
        self.track(messages.lazy.filter { $0.scheduledAt == nil }.map(\.id))
        guard self.submissions.appendIfOpen(PendingSubmit(messages: messages, idempotency: idempotency?(messages), completion: completion)) else {
            // Shutting down: the writer has stopped taking messages. Refused, to be sent again.
            self.pendingSubmits.subtract(1, ordering: .relaxed)
            _ = self.watermark(removing: messages.map(\.id))
            self.ledger.credit(account.id, price)
            return refuse(Refused(.messageQueueFull))
        }
    }

    /// False once the gateway is shutting down (readiness).
    public var isAcceptingMessages: Bool { !self.submissions.isClosed }

    /// Checks fields without storing anything (submit_multi's per-destination answers).
    public func validate(_ fields: SubmitValidation.Fields) -> CommandStatus? {
        if case .failure(let refused) = self.validation.validate(fields, now: self.clock.wallMilliseconds) { return refused.status }
        return nil
    }

    public var validationLimits: SubmitValidation.Limits { self.configuration.validation }

    /// Checks fields as `accept` would for `account` (validation, then DLT), storing nothing:
    /// per-entry answers of submit_multi and HTTP batches.
    public func check(_ fields: SubmitValidation.Fields, account: Account) -> Refused? {
        let now = self.clock.wallMilliseconds
        switch self.validation.validate(fields, now: now) {
        case .failure(let refused): return refused
        case .success(let message):
            guard let violation = self.configuration.dlt.check(message, registration: account.dlt, now: now) else { return nil }
            return Refused(self.configuration.dlt.rejectStatus, code: violation.code, reason: violation.description)
        }
    }

    // MARK: the customer's other requests

    public func message(_ id: MessageID, accountID: String) async throws -> Message? {
        guard let message = try await self.store.message(id), message.accountID == accountID else { return nil }
        return message
    }

    public func cancel(_ id: MessageID, accountID: String) async throws -> CancelOutcome {
        let now = self.clock.wallMilliseconds
        // Cancelling is a status change too: its webhook and its refund (if any) are stored with it.
        let message = try await self.message(id, accountID: accountID)
        let webhook = message.flatMap { message in
            message.status == .queued
                ? self.statusWebhook(for: message, account: self.accounts.account(id: accountID), status: .deleted, error: 0, at: now) : nil
        }
        let credit = message.flatMap { message in
            message.price > 0 && self.configuration.refundOn.contains(.deleted)
                ? Credit(messageID: id, accountID: accountID, amount: message.price) : nil
        }
        let outcome = try await self.store.cancel(id, accountID: accountID, at: now, webhook: webhook, credit: credit)
        if outcome == .cancelled {
            self.scheduled.withLock { $0.removeAll { $0.id == id } }
            if let credit { self.ledger.credit(credit.accountID, credit.amount) }
        }
        return outcome
    }

    /// replace_sm: new text, schedule, validity or registered_delivery for a message not yet sent on.
    public func replace(_ id: MessageID, accountID: String, with request: ReplaceSM) async throws -> CommandStatus {
        guard let message = try await self.message(id, accountID: accountID) else { return .invalidMessageID }
        guard message.status == .queued else { return .replaceFailed }
        var fields = SubmitValidation.Fields(
            SubmitSM(
                serviceType: message.serviceType, source: message.source, destination: message.destination, esmClass: message.esmClass,
                scheduleDeliveryTime: request.scheduleDeliveryTime, validityPeriod: request.validityPeriod,
                registeredDelivery: request.registeredDelivery, dataCoding: message.dataCoding, shortMessage: request.shortMessage))
        fields.tlvs = []
        switch self.validation.validate(fields, now: self.clock.wallMilliseconds) {
        case .failure(let refused):
            return refused.status
        case .success(let checked):
            // §4.10.1: a NULL schedule_delivery_time or validity_period keeps the original.
            let replacement = Replacement(
                payload: checked.payload, segments: checked.segments,
                scheduledAt: request.scheduleDeliveryTime == nil ? message.scheduledAt : checked.scheduledAt,
                expiresAt: request.validityPeriod == nil ? message.expiresAt : checked.expiresAt,
                registeredDelivery: checked.registeredDelivery)
            guard try await self.store.replace(id, accountID: accountID, with: replacement) else { return .replaceFailed }
            self.scheduled.withLock { list in
                if let index = list.firstIndex(where: { $0.id == id }) {
                    list[index].payload = replacement.payload
                    list[index].scheduledAt = replacement.scheduledAt
                    list[index].expiresAt = replacement.expiresAt
                    list[index].registeredDelivery = replacement.registeredDelivery
                }
            }
            return .ok
        }
    }

    // MARK: carriers

    /// Sends messages to `route` (an upstream connector) from now on instead of the simulator.
    public func setRoute(_ route: any MessageRoute) { self.route.withLock { $0 = route } }

    /// A carrier took the message (every part of it): it is `sent`, and its ids there are kept
    /// for the receipts.
    public func carrierAccepted(_ accepted: [(message: Message, upstream: [UpstreamID])]) {
        let now = self.clock.wallMilliseconds
        var work: [Work] = []
        work.reserveCapacity(accepted.count)
        for (message, upstream) in accepted {
            var change = self.change(
                message, .sent, error: 0, at: now, intermediate: message.registeredDelivery.intermediateNotification)
            change.upstream = upstream
            work.append(.status(change))
        }
        self.work.append(contentsOf: work)
    }

    /// A carrier refused the submit for good: the message ends `rejected` with the carrier's
    /// status as its error code, and the customer gets that receipt.
    public func carrierRefused(_ message: Message, status: CommandStatus) {
        self.work.append(.status(self.change(message, .rejected, error: Int(status.rawValue & 0xFFFF), at: self.clock.wallMilliseconds)))
    }

    /// The gateway gives up on a message it cannot send (`error` says why: 901, more
    /// parts than the carrier takes; 902, no route; 903, too long for a carrier without concatenation): it ends `failed`, with that receipt.
    public func carrierFailed(_ message: Message, error: Int) {
        self.work.append(.status(self.change(message, .failed, error: error, at: self.clock.wallMilliseconds)))
    }

    /// The message's validity period ran out before a carrier took it: `expired`, with an
    /// EXPIRED receipt.
    public func carrierExpired(_ message: Message) {
        self.work.append(.status(self.change(message, .expired, error: 0, at: self.clock.wallMilliseconds)))
    }

    /// Parts of long messages the carrier delivered while other parts are still out: kept, so
    /// that after a restart the last part's receipt still knows the others were delivered.
    public func carrierDelivered(parts: [DeliveredPart]) {
        self.work.append(contentsOf: parts.map { .deliveredPart($0) })
    }

    /// Carriers' receipts for messages this run sent and still holds.
    public func carrierReported(_ reports: [(message: Message, status: MessageStatus, error: Int)]) {
        let now = self.clock.wallMilliseconds
        self.work.append(contentsOf: reports.map { .status(self.change($0.message, $0.status, error: $0.error, at: now)) })
    }

    /// A carrier's receipt for a message this run sent (matched in memory).
    public func carrierReported(_ id: MessageID, status: MessageStatus, error: Int) async throws -> Bool {
        guard let message = try await self.store.message(id) else { return false }
        guard !message.status.isFinal else { return true }  // already settled (a duplicate receipt)
        self.work.append(.status(self.change(message, status, error: error, at: self.clock.wallMilliseconds)))
        return true
    }

    /// An inbound message from a carrier, for the account that owns the number it was sent to.
    /// False if no account owns it.
    public func carrierMO(source: SMPPAddress, destination: SMPPAddress, dataCoding: DataCoding, shortMessage: ByteBuffer) -> Bool {
        guard let account = self.accounts.owner(of: destination.address) else { return false }
        let now = self.clock.wallMilliseconds
        let expiry = now + SubmitValidation.milliseconds(self.configuration.deliveryExpiry)
        let pdu = DeliverSM(source: source, destination: destination, dataCoding: dataCoding, shortMessage: shortMessage)
        self.work.append(.delivery(Delivery(accountID: account.id, kind: .mo, messageID: nil, deliverSM: pdu, createdAt: now, expiresAt: expiry)))
        if let url = account.moWebhookURL {
            let text = SMSText.decode(shortMessage, dataCoding: dataCoding) ?? ""
            let encoding = dataCoding.alphabet == .ucs2 ? "ucs2" : "gsm7"
            self.work.append(
                .webhook(self.moWebhook(accountID: account.id, url: url, source: source, destination: destination, text: text, encoding: encoding, inReplyTo: nil, at: now)))
        }
        return true
    }

    // MARK: receivers

    /// A receiver of `target.accountID` is ready for deliveries (owed ones load from the store).
    public func attach(_ target: any DeliveryTarget) { self.hub.attach(target) }
    public func detach(_ target: any DeliveryTarget) { self.hub.detach(target) }

    // MARK: running

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.submitLoop() }
            group.addTask { await self.dispatchLoop() }
            group.addTask { await self.outboxLoop() }
            group.addTask { await self.resumeFromStore() }
            group.addTask { await self.sweepLoop() }
            let maintenance = Task { await self.store.runMaintenance() }
            try? await gracefulShutdown()
            maintenance.cancel()
            group.addTask { await maintenance.value }
            // The SMPP server (started after this service) has quiesced by now: the loops drain
            // in order (submits, then their dispatch, then the outbox) and stop.
            self.submissions.close()
        }
    }

    /// Group commit of new messages: whatever waits goes into one transaction of the messages
    /// file; then they are answered and dispatched. Nothing else shares these transactions, so
    /// an answer never waits for status or receipt writes.
    func submitLoop() async {
        while let batch = await self.submissions.next(maximum: self.configuration.commitBatch) {
            let messages = batch.flatMap(\.messages)
            var attempt = 0
            while true {
                do {
                    try await self.store.insert(messages, idempotency: batch.compactMap(\.idempotency))
                    self.pendingSubmits.subtract(batch.count, ordering: .relaxed)
                    for pending in batch {
                        GatewayMetrics.shared.accepted(pending.messages.count, ingress: pending.messages[0].ingress)
                        pending.completion(.success(pending.messages))
                    }
                    self.dispatches.append(messages)
                    break
                } catch {
                    attempt += 1
                    self.logger.error("commit failed", metadata: ["messages": "\(messages.count)", "attempt": "\(attempt)", "error": "\(error)"])
                    if attempt >= 3 {
                        // Refused (the customer may retry); they were never stored.
                        self.pendingSubmits.subtract(batch.count, ordering: .relaxed)
                        for message in messages { self.ledger.credit(message.accountID, message.price) }
                        for pending in batch {
                            GatewayMetrics.shared.refused(Refused(.systemError), ingress: pending.messages[0].ingress)
                            pending.completion(.failure(Refused(.systemError)))
                        }
                        _ = self.watermark(removing: messages.map(\.id))
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(50 * attempt))
                }
            }
        }
        self.dispatches.close()
    }

    /// Group commit of everything that happens to stored messages: status changes with their
    /// receipts, MO, acknowledgements, the dispatch watermark; then the stored deliveries go to
    /// the receivers. A failed commit is tried again: nothing here is ever dropped.
    func outboxLoop() async {
        while let batch = await self.work.next(maximum: self.configuration.commitBatch) {
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
            write.dispatchWatermark = self.watermark(removing: write.changes.lazy.map(\.messageID))
            var attempt = 0
            while true {
                do {
                    let outcome = try await self.store.write(write)
                    for credit in outcome.credits { self.ledger.credit(credit.accountID, credit.amount) }
                    self.hub.enqueue(outcome.deliveries)
                    break
                } catch {
                    attempt += 1
                    self.logger.error("status commit failed; retrying", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(min(1_000, 50 * attempt)))
                }
            }
        }
    }

    /// Counts messages as in flight (accepted, not yet moved on from `queued`).
    func track(_ ids: some Sequence<MessageID>) {
        self.inFlight.withLock { state in
            for id in ids {
                state.ids.insert(id)
                if id > state.highest { state.highest = id }
            }
        }
    }

    /// Takes messages out of flight and returns the watermark to record: every message below it
    /// (scheduled ones aside) has a stored status. `nil` while messages from before a restart
    /// are still being resumed.
    func watermark(removing removed: some Sequence<MessageID>) -> MessageID? {
        self.inFlight.withLock { state in
            for id in removed { state.ids.remove(id) }
            guard state.resumed else { return nil }
            return state.ids.min() ?? MessageID(rawValue: state.highest.rawValue + 1)
        }
    }

    func dispatchLoop() async {
        while let batches = await self.dispatches.next(maximum: 64) {
            for messages in batches { self.dispatch(messages) }
        }
        self.work.close()
    }

    /// Messages stored before a restart and not yet sent on carry on.
    func resumeFromStore() async {
        var after: MessageID? = nil
        var resumed = 0
        while !Task.isShuttingDownGracefully {
            do {
                let page = try await self.store.queuedMessages(after: after, limit: 5_000).filter { $0.id < self.firstIDOfThisRun }
                guard let last = page.last else { break }
                after = last.id
                resumed += page.count
                self.track(page.lazy.filter { $0.scheduledAt == nil }.map(\.id))
                self.dispatch(page)
            } catch {
                self.logger.error("could not read queued messages", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        self.inFlight.withLock { $0.resumed = true }
        if resumed > 0 { self.logger.info("resumed messages stored before the restart", metadata: ["count": "\(resumed)"]) }
    }

    func sweepLoop() async {
        var tick = 0
        while !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(500))
            let now = self.clock.wallMilliseconds
            self.hub.sweep(now: now)
            let due = self.scheduled.withLock { list -> [Message] in
                let due = list.filter { ($0.scheduledAt ?? 0) <= now }
                if !due.isEmpty { list.removeAll { ($0.scheduledAt ?? 0) <= now } }
                return due
            }
            if !due.isEmpty { self.dispatch(due, now: now) }
            tick += 1
            if tick % 120 == 0 {
                if let dropped = try? await self.store.deleteExpired(before: now, idempotencyBefore: now - 24 * 3_600_000), dropped > 0 {
                    self.logger.notice("expired deliveries and webhooks dropped", metadata: ["count": "\(dropped)"])
                }
            }
        }
    }

    // MARK: dispatch (the carrier simulator)

    func dispatch(_ messages: [Message], now: Int64? = nil) {
        let now = now ?? self.clock.wallMilliseconds
        if let route = self.route.withLock({ $0 }) { return self.dispatch(messages, to: route, now: now) }
        self.simulate(messages, now: now)
    }

    /// The built-in carrier simulator takes `messages` (the default route, or a connector of
    /// kind "simulator"): each gets the outcome its rules give, after the configured delay.
    public func simulate(_ messages: [Message], now: Int64? = nil) {
        let now = now ?? self.clock.wallMilliseconds
        var changes: [Work] = []
        changes.reserveCapacity(messages.count)
        var later: [Message] = []
        for message in messages {
            if let at = message.scheduledAt, at > now {
                later.append(message)
                continue
            }
            if let expires = message.expiresAt, expires <= now {
                changes.append(.status(self.change(message, .expired, error: 0, at: now)))
                continue
            }
            if message.registeredDelivery.intermediateNotification {
                changes.append(.status(self.change(message, .sent, error: 0, at: now, intermediate: true)))
            }
            let outcome = self.simulator.outcome(for: message)
            changes.append(.status(self.change(message, outcome.status, error: outcome.error, at: now)))
            if let reply = self.simulator.reply(to: message) {
                let (delivery, webhook) = self.mo(replyingTo: message, text: reply, at: now)
                changes.append(.delivery(delivery))
                if let webhook { changes.append(.webhook(webhook)) }
            }
        }
        if !later.isEmpty { self.scheduled.withLock { $0.append(contentsOf: later) } }
        guard !changes.isEmpty else { return }
        let delay = self.configuration.simulator.delayMilliseconds
        if delay <= 0 {
            self.work.append(contentsOf: changes)
        } else {
            let work = self.work
            Task {
                try? await Task.sleep(for: .milliseconds(delay))
                work.append(contentsOf: changes)
            }
        }
    }

    /// To a carrier: scheduled ones wait, expired ones end `expired`, the rest go to `route`.
    func dispatch(_ messages: [Message], to route: any MessageRoute, now: Int64) {
        var later: [Message] = []
        var expired: [Work] = []
        var due: [Message] = []
        for message in messages {
            if let at = message.scheduledAt, at > now {
                later.append(message)
            } else if let expires = message.expiresAt, expires <= now {
                expired.append(.status(self.change(message, .expired, error: 0, at: now)))
            } else {
                due.append(message)
            }
        }
        if !later.isEmpty { self.scheduled.withLock { $0.append(contentsOf: later) } }
        if !expired.isEmpty { self.work.append(contentsOf: expired) }
        if !due.isEmpty { route.send(due) }
    }

    func change(_ message: Message, _ status: MessageStatus, error: Int, at: Int64, intermediate: Bool = false) -> StatusChange {
        let account = self.accounts.account(id: message.accountID)
        // `sent` (ENROUTE) reaches the customer only as an intermediate notification, when asked for.
        let wanted =
            (account?.reports.smpp ?? true)
            && (intermediate || (status != .sent && message.registeredDelivery.wantsReceipt(delivered: status.isSuccess)))
        return StatusChange(
            messageID: message.id, status: status, errorCode: error, at: at,
            receipt: wanted ? self.receipt(for: message, status: status, error: error, at: at, intermediate: intermediate) : nil,
            webhook: self.statusWebhook(for: message, account: account, status: status, error: error, at: at),
            credit: message.price > 0 && self.configuration.refundOn.contains(status)
                ? Credit(messageID: message.id, accountID: message.accountID, amount: message.price) : nil)
    }

    /// The signed POST a status change owes: to the message's `callback_url`, else the
    /// account's webhook URL, else none (none either when the account's reports go to SMPP
    /// only). The body shows the message as `GET` would after it.
    func statusWebhook(for message: Message, account: Account?, status: MessageStatus, error: Int, at: Int64) -> Webhook? {
        guard account?.reports.webhook ?? true, let url = message.callbackURL ?? account?.webhookURL else { return nil }
        var changed = message
        changed.status = status
        changed.errorCode = error
        if status.isFinal { changed.doneAt = at }
        var json = JSONWriter(capacity: 512)
        json.beginObject()
        json.key("type")
        json.string(Webhook.Kind.status.rawValue)
        json.key("at")
        json.timestamp(at)
        json.key("message")
        changed.writeJSON(into: &json)
        json.endObject()
        return Webhook(
            accountID: message.accountID, kind: .status, url: url, body: json.bytes, createdAt: at,
            expiresAt: at + SubmitValidation.milliseconds(self.configuration.deliveryExpiry))
    }

    /// The deliver_sm that reports `status` to the customer: Appendix B text with our id, and
    /// receipted_message_id, message_state and (on error) network_error_code.
    func receipt(for message: Message, status: MessageStatus, error: Int, at: Int64, intermediate: Bool) -> Delivery {
        let state = status.messageState
        // One buffer holds the Appendix B text, then the receipted_message_id and message_state
        // values: the PDU's fields are slices of it (one allocation per receipt).
        var buffer = ByteBuffer()
        buffer.reserveCapacity(160)
        let id = message.id.hexOctets
        buffer.writeStaticString("id:")
        buffer.writeBytes(id)
        buffer.writeStaticString(state == .delivered ? " sub:001 dlvrd:001 submit date:" : " sub:001 dlvrd:000 submit date:")
        buffer.writeBytes(self.receiptDates.octets(milliseconds: message.submittedAt))
        buffer.writeStaticString(" done date:")
        buffer.writeBytes(self.receiptDates.octets(milliseconds: at))
        buffer.writeStaticString(" stat:")
        buffer.writeString(state.receiptStat)
        buffer.writeStaticString(" err:")
        let error3 = min(max(error, 0), 999)
        buffer.writeBytes([UInt8(48 + error3 / 100), UInt8(48 + error3 / 10 % 10), UInt8(48 + error3 % 10)])
        buffer.writeStaticString(" Text:")
        message.writeTextPrefix(20, into: &buffer)
        let textLength = buffer.readableBytes
        buffer.writeBytes(id)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(state.rawValue)
        var tlvs = TLVList()
        tlvs.append(TLV(tag: .receiptedMessageID, value: buffer.getSlice(at: textLength, length: id.count + 1)!))
        tlvs.append(TLV(tag: .messageState, value: buffer.getSlice(at: textLength + id.count + 1, length: 1)!))
        if error != 0 { tlvs.networkErrorCode = NetworkErrorCode(networkType: 3, errorCode: UInt16(clamping: error)) }
        let pdu = DeliverSM(
            source: message.destination, destination: message.source,
            esmClass: ESMClass(type: intermediate ? .intermediateDeliveryNotification : .smscDeliveryReceipt),
            shortMessage: buffer.getSlice(at: 0, length: textLength)!, tlvs: tlvs)
        return Delivery(
            accountID: message.accountID, kind: .receipt, messageID: message.id, deliverSM: pdu, createdAt: at,
            expiresAt: at + SubmitValidation.milliseconds(self.configuration.deliveryExpiry))
    }

    /// An inbound message from the simulated handset, for the account owning the number it goes
    /// to: a deliver_sm for its receivers and, when it has an MO webhook URL, a webhook.
    func mo(replyingTo message: Message, text: String, at: Int64) -> (Delivery, Webhook?) {
        let account = self.accounts.owner(of: message.source.address) ?? self.accounts.account(id: message.accountID)
        let accountID = account?.id ?? message.accountID
        let encoded = EncodedText(text) ?? EncodedText(binary: Array(text.utf8))
        let pdu = DeliverSM(
            source: message.destination, destination: message.source, dataCoding: encoded.alphabet.dataCoding,
            shortMessage: ByteBuffer(bytes: encoded.octets))
        let expiry = at + SubmitValidation.milliseconds(self.configuration.deliveryExpiry)
        let delivery = Delivery(accountID: accountID, kind: .mo, messageID: nil, deliverSM: pdu, createdAt: at, expiresAt: expiry)
        guard let url = account?.moWebhookURL else { return (delivery, nil) }
        let webhook = self.moWebhook(
            accountID: accountID, url: url, source: message.destination, destination: message.source, text: text,
            encoding: encoded.alphabet == .ucs2 ? "ucs2" : "gsm7", inReplyTo: message.id, at: at)
        return (delivery, webhook)
    }

    /// The `message.inbound` webhook of an MO (from the simulator's handset or a carrier).
    func moWebhook(
        accountID: String, url: String, source: SMPPAddress, destination: SMPPAddress, text: String, encoding: String, inReplyTo: MessageID?,
        at: Int64
    ) -> Webhook {
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.key("type")
        json.string(Webhook.Kind.inbound.rawValue)
        json.key("at")
        json.timestamp(at)
        json.key("message")
        json.beginObject()
        json.key("from")
        json.string(Message.display(source))
        json.key("to")
        json.string(Message.display(destination))
        json.key("body")
        json.string(text)
        json.key("encoding")
        json.string(encoding)
        if let inReplyTo {
            json.key("in_reply_to")
            json.string(inReplyTo.description)
        }
        json.key("received_at")
        json.timestamp(at)
        json.endObject()
        json.endObject()
        return Webhook(
            accountID: accountID, kind: .inbound, url: url, body: json.bytes, createdAt: at,
            expiresAt: at + SubmitValidation.milliseconds(self.configuration.deliveryExpiry))
    }

    static func threeDigits(_ value: Int) -> String {
        let digits = String(value)
        return digits.count >= 3 ? digits : String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// The receipt's `Text:` stays in printable ASCII whatever the message was written in.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(20).map { (0x20...0x7E).contains($0.value) ? $0 : "?" }))
    }
}

/// `YYMMDDhhmm` for receipt dates, remembered for the current minute (most receipts share it).
final class ReceiptDateCache: Sendable {
    private let last = Mutex<(minute: Int64, octets: [UInt8])>((-1, []))

    func octets(milliseconds: Int64) -> [UInt8] {
        let minute = milliseconds / 60_000
        if let cached = self.last.withLock({ $0.minute == minute ? $0.octets : nil }) { return cached }
        let octets = Array(ReceiptDate(SMPPTime.AbsoluteTime(secondsSince1970: minute * 60)).smppString.utf8)
        self.last.withLock { $0 = (minute, octets) }
        return octets
    }
}
