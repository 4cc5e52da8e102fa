import Logging
import SMPPCore
import ServiceLifecycle
import Synchronization

/// Where committed messages go next, on one path: scheduled ones wait for their time, expired
/// ones end `expired`, the rest go to the route — the carrier router once connectors are set,
/// the built-in carrier simulator (`SimulatorRoute`) until then. Also resumes, after a restart,
/// the messages stored before it, and sweeps: scheduled releases, expired deliveries, old
/// idempotency records.
final class Dispatcher: Sendable {
    let store: any MessageStore
    let events: StatusEvents
    let outbox: OutboxWriter
    let inFlight: InFlight
    let hub: DeliveryHub
    let clock: any GatewayClock
    let logger: Logger
    /// Messages below this id were stored before this run started (and may need dispatching).
    let firstIDOfThisRun: MessageID
    /// The built-in carrier simulator as a route (the default one, and a connector's).
    let simulator: SimulatorRoute
    let route: Mutex<any MessageRoute>
    /// Committed messages on their way to the route.
    let dispatches = Batcher<[Message]>()
    let scheduled = Mutex<[Message]>([])

    init(
        store: any MessageStore, events: StatusEvents, outbox: OutboxWriter, inFlight: InFlight, hub: DeliveryHub, clock: any GatewayClock,
        simulator: CarrierSimulator.Configuration, firstIDOfThisRun: MessageID, logger: Logger
    ) {
        self.store = store
        self.events = events
        self.outbox = outbox
        self.inFlight = inFlight
        self.hub = hub
        self.clock = clock
        self.firstIDOfThisRun = firstIDOfThisRun
        self.logger = logger
        let simulator = SimulatorRoute(configuration: simulator, events: events, outbox: outbox, clock: clock)
        self.simulator = simulator
        self.route = Mutex(simulator)
    }

    /// Messages just committed (dispatched in order by `run`).
    func enqueue(_ messages: [Message]) { self.dispatches.append(messages) }

    /// No more messages will be committed: `run` returns once those waiting are handed on.
    func close() { self.dispatches.close() }

    func run() async {
        while let batches = await self.dispatches.next(maximum: 64) {
            for messages in batches { self.dispatch(messages) }
        }
    }

    /// Scheduled ones wait, expired ones end `expired`, the rest go to the route.
    func dispatch(_ messages: [Message], now: Int64? = nil) {
        let now = now ?? self.clock.wallMilliseconds
        var later: [Message] = []
        var expired: [OutboxWriter.Work] = []
        var due: [Message] = []
        for message in messages {
            if let at = message.scheduledAt, at > now {
                later.append(message)
            } else if let expires = message.expiresAt, expires <= now {
                expired.append(.status(self.events.change(message, .expired, error: 0, at: now)))
            } else {
                due.append(message)
            }
        }
        if !later.isEmpty { self.scheduled.withLock { $0.append(contentsOf: later) } }
        if !expired.isEmpty { self.outbox.append(contentsOf: expired) }
        if !due.isEmpty { self.route.withLock { $0 }.send(due) }
    }

    /// Messages stored before a restart and not yet sent on carry on.
    func resumeFromStore() async {
        var after: MessageID? = nil
        var resumed = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let page = try await self.store.queuedMessages(after: after, limit: 5_000).filter { $0.id < self.firstIDOfThisRun }
                guard let last = page.last else { break }
                after = last.id
                resumed += page.count
                self.inFlight.track(page.lazy.filter { $0.scheduledAt == nil }.map(\.id))
                self.dispatch(page)
            } catch {
                self.logger.error("could not read queued messages", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        self.inFlight.resumed()
        if resumed > 0 { self.logger.info("resumed messages stored before the restart", metadata: ["count": "\(resumed)"]) }
    }

    /// Every half second: deliveries past their expiry, scheduled messages now due; every minute:
    /// expired deliveries, webhooks and idempotency records dropped from the store.
    func sweepLoop() async {
        var tick = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
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

    /// A message cancelled or replaced while it waits for its time.
    func updateScheduled(_ id: MessageID, _ change: (inout Message) -> Void) {
        self.scheduled.withLock { list in
            if let index = list.firstIndex(where: { $0.id == id }) { change(&list[index]) }
        }
    }

    func removeScheduled(_ id: MessageID) { self.scheduled.withLock { $0.removeAll { $0.id == id } } }
}

/// The built-in carrier simulator as a route: each message gets the outcome its rules give (and
/// the simulated handset's reply, if any), after the configured delay. The default route, and
/// what a connector of kind "simulator" sends to.
public final class SimulatorRoute: MessageRoute {
    let simulator: CarrierSimulator
    let delayMilliseconds: Int
    let events: StatusEvents
    let outbox: OutboxWriter
    let clock: any GatewayClock

    init(configuration: CarrierSimulator.Configuration, events: StatusEvents, outbox: OutboxWriter, clock: any GatewayClock) {
        self.simulator = CarrierSimulator(configuration: configuration)
        self.delayMilliseconds = configuration.delayMilliseconds
        self.events = events
        self.outbox = outbox
        self.clock = clock
    }

    public func send(_ messages: [Message]) {
        let now = self.clock.wallMilliseconds
        var changes: [OutboxWriter.Work] = []
        changes.reserveCapacity(messages.count)
        for message in messages {
            if message.registeredDelivery.intermediateNotification {
                changes.append(.status(self.events.change(message, .sent, error: 0, at: now, intermediate: true)))
            }
            let outcome = self.simulator.outcome(for: message)
            changes.append(.status(self.events.change(message, outcome.status, error: outcome.error, at: now)))
            if let reply = self.simulator.reply(to: message) {
                let (delivery, webhook) = self.events.mo(replyingTo: message, text: reply, at: now)
                changes.append(.delivery(delivery))
                if let webhook { changes.append(.webhook(webhook)) }
            }
        }
        guard !changes.isEmpty else { return }
        if self.delayMilliseconds <= 0 {
            self.outbox.append(contentsOf: changes)
        } else {
            let outbox = self.outbox
            let delay = self.delayMilliseconds
            Task {
                try? await Task.sleep(for: .milliseconds(delay))
                outbox.append(contentsOf: changes)
            }
        }
    }
}
