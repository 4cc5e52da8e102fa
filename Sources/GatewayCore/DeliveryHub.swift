import Logging
import NIOCore
import Synchronization

/// Where deliveries (receipts, MO) can go: an SMPP receiver or transceiver bind of an account.
public protocol DeliveryTarget: AnyObject, Sendable {
    var accountID: String { get }
    /// Deliveries this target may have unanswered at once.
    var window: Int { get }
    /// Sends these (in order, together); `completion(delivery, true)` for each the customer
    /// acknowledged (deliver_sm_resp OK), `false` for each refused or lost.
    func deliver(_ deliveries: [Delivery], completion: @escaping @Sendable (Delivery, Bool) -> Void)
}

/// The deliveries owed to each account, spread over its bound receivers: the I/O around
/// `DeliveryHubStateMachine` (which holds the rules). Events go into the machine under a lock;
/// its actions run outside it — sends to the receivers, loads from the store (child tasks of
/// `run`), acknowledgements to the outbox.
final class DeliveryHub: Sendable {
    private struct State {
        var machine: DeliveryHubStateMachine
        var targets: [ObjectIdentifier: any DeliveryTarget] = [:]
    }

    /// An action with its receiver looked up under the lock (it may detach meanwhile).
    private enum Step {
        case send([Delivery], to: any DeliveryTarget, id: ObjectIdentifier)
        case load(account: String, after: Int64, limit: Int)
        case acknowledged(Delivery)
    }

    private let state: Mutex<State>
    /// Reads what is owed from the store; `nil`: it could not be read (the sweep tries again).
    private let load: @Sendable (_ accountID: String, _ after: Int64, _ limit: Int) async -> [Delivery]?
    /// Called with each acknowledged delivery.
    private let acknowledged: @Sendable (Delivery) -> Void
    private let loads = AsyncStream<(account: String, after: Int64, limit: Int)>.makeStream()
    let clock: any GatewayClock

    init(
        capacity: Int = 20_000, pageSize: Int = 5_000, retryDelayMilliseconds: Int64 = 2_000, clock: any GatewayClock = SystemClock(),
        load: @escaping @Sendable (String, Int64, Int) async -> [Delivery]?, acknowledged: @escaping @Sendable (Delivery) -> Void
    ) {
        self.state = Mutex(
            State(machine: DeliveryHubStateMachine(capacity: capacity, pageSize: pageSize, retryDelayMilliseconds: retryDelayMilliseconds)))
        self.clock = clock
        self.load = load
        self.acknowledged = acknowledged
    }

    /// Loads owed deliveries from `store` (a failed load is logged and tried again by the sweep);
    /// counts each acknowledged one and hands it to `acknowledged`.
    convenience init(
        store: any Outbox, clock: any GatewayClock, logger: Logger, acknowledged: @escaping @Sendable (Delivery) -> Void
    ) {
        self.init(
            clock: clock,
            load: { account, after, limit in
                do {
                    return try await store.pendingDeliveries(accountID: account, after: after, limit: limit)
                } catch {
                    logger.error("could not load deliveries", metadata: ["account": "\(account)", "error": "\(error)"])
                    return nil
                }
            },
            acknowledged: { delivery in
                GatewayMetrics.shared.deliveryAcknowledged()
                acknowledged(delivery)
            })
    }

    /// Runs the loads from the store, each a child task, until `close`.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await request in self.loads.stream {
                group.addTask {
                    let loaded = await self.load(request.account, request.after, request.limit)
                    self.perform { $0.loaded(account: request.account, loaded) }
                }
            }
        }
    }

    /// No more loads (shutting down): `run` returns once those under way finish.
    func close() { self.loads.continuation.finish() }

    func attach(_ target: any DeliveryTarget) {
        let id = ObjectIdentifier(target)
        self.perform { machine in machine.attach(id, account: target.accountID, window: target.window) } registering: { $0[id] = target }
    }

    func detach(_ target: any DeliveryTarget) {
        let id = ObjectIdentifier(target)
        self.perform { machine in machine.detach(id, account: target.accountID) } registering: { $0[id] = nil }
    }

    /// Newly stored deliveries. Accounts without a receiver keep them in the store only.
    func enqueue(_ deliveries: [Delivery]) { self.perform { $0.enqueue(deliveries) } }

    /// Retries whose time has come go back in line; accounts with something left in the store
    /// are refilled. Called periodically.
    func sweep(now: Int64) { self.perform { $0.sweep(now: now) } }

    /// One event into the machine (and a change of the receivers, under the same lock), then its
    /// actions, outside the lock.
    private func perform(
        _ event: (inout DeliveryHubStateMachine) -> [DeliveryHubStateMachine.Action],
        registering change: (inout [ObjectIdentifier: any DeliveryTarget]) -> Void = { _ in }
    ) {
        let steps = self.state.withLock { state -> [Step] in
            change(&state.targets)
            return event(&state.machine).compactMap { action -> Step? in
                switch action {
                case .send(let deliveries, let id): state.targets[id].map { .send(deliveries, to: $0, id: id) }
                case .load(let account, let after, let limit): .load(account: account, after: after, limit: limit)
                case .acknowledged(let delivery): .acknowledged(delivery)
                }
            }
        }
        for step in steps {
            switch step {
            case .send(let deliveries, let target, let id):
                target.deliver(deliveries) { delivery, ok in
                    let now = self.clock.wallMilliseconds
                    self.perform { $0.completed(delivery, target: id, ok: ok, now: now) }
                }
            case .load(let account, let after, let limit):
                self.loads.continuation.yield((account, after, limit))
            case .acknowledged(let delivery):
                self.acknowledged(delivery)
            }
        }
    }
}
