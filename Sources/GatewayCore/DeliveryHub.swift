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

/// The deliveries owed to each account, spread over its bound receivers with no more than each
/// one's window outstanding. The store is the truth: memory holds a bounded part of what is owed
/// to accounts that have a receiver bound, and is refilled from the store when it runs low.
final class DeliveryHub: Sendable {
    struct Slot {
        let target: any DeliveryTarget
        var inFlight: Int
    }

    /// A class so that the hub mutates it in place under its lock (a struct in the dictionary
    /// would be copied, pending buffer and all, on every change).
    final class Queue {
        var pending = CircularBuffer<Delivery>()
        var targets: [ObjectIdentifier: Slot] = [:]
        var rotation: [ObjectIdentifier] = []
        var next = 0
        /// Every delivery with a sequence up to here is in memory, in flight or done.
        var loadedThrough: Int64 = 0
        /// Something owed was left in the store only (memory was full, or a load was under way).
        var incomplete = true
        var loading = false
        /// Stored while a load was reading: merged after it (the load may or may not have seen them).
        var arrivals: [Delivery] = []
        var arrivalsOverflowed = false
        /// Sequences pending or in flight, so a reload never sends one twice.
        var known = Set<Int64>()
        var retry: [(Delivery, Int64)] = []
    }

    let capacity: Int
    /// Most deliveries one load from the store returns (the store's `limit`).
    let pageSize: Int
    let retryDelayMilliseconds: Int64
    private let queues = Mutex<[String: Queue]>([:])
    /// Called when an account's memory should be refilled from the store.
    /// `nil`: the store could not be read (the sweep tries again).
    private let load: @Sendable (_ accountID: String, _ after: Int64, _ limit: Int) async -> [Delivery]?
    /// Called with each acknowledged delivery.
    private let acknowledged: @Sendable (Delivery) -> Void
    let clock: any GatewayClock

    init(
        capacity: Int = 20_000, pageSize: Int = 5_000, retryDelayMilliseconds: Int64 = 2_000, clock: any GatewayClock = SystemClock(),
        load: @escaping @Sendable (String, Int64, Int) async -> [Delivery]?, acknowledged: @escaping @Sendable (Delivery) -> Void
    ) {
        self.clock = clock
        self.capacity = capacity
        self.pageSize = pageSize
        self.retryDelayMilliseconds = retryDelayMilliseconds
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

    func attach(_ target: any DeliveryTarget) {
        self.queues.withLock { queues in
            let id = ObjectIdentifier(target)
            let queue = queues[target.accountID] ?? Queue()
            queues[target.accountID] = queue
            queue.targets[id] = Slot(target: target, inFlight: 0)
            queue.rotation.append(id)
        }
        self.refill(target.accountID)
        self.pump(target.accountID)
    }

    func detach(_ target: any DeliveryTarget) {
        self.queues.withLock { queues in
            let id = ObjectIdentifier(target)
            guard let queue = queues[target.accountID] else { return }
            queue.targets[id] = nil
            queue.rotation.removeAll { $0 == id }
            if queue.targets.isEmpty {
                // Nobody to send to: the store keeps what is owed; in-flight ones come back as failures.
                for delivery in queue.pending { queue.known.remove(delivery.sequence) }
                for (delivery, _) in queue.retry { queue.known.remove(delivery.sequence) }
                queue.pending.removeAll()
                queue.retry.removeAll()
                queue.loadedThrough = 0
                queue.incomplete = true
            }
        }
    }

    /// Newly stored deliveries. Accounts without a receiver keep them in the store only.
    func enqueue(_ deliveries: [Delivery]) {
        var accounts = Set<String>()
        self.queues.withLock { queues in
            for delivery in deliveries {
                guard let queue = queues[delivery.accountID], !queue.targets.isEmpty else { continue }
                if delivery.sequence <= queue.loadedThrough { continue }  // a refill already has it
                if queue.loading {
                    if queue.arrivals.count < self.capacity { queue.arrivals.append(delivery) } else { queue.arrivalsOverflowed = true }
                } else if queue.incomplete || queue.pending.count >= self.capacity {
                    queue.incomplete = true
                } else {
                    queue.pending.append(delivery)
                    queue.known.insert(delivery.sequence)
                    queue.loadedThrough = delivery.sequence
                    accounts.insert(delivery.accountID)
                }
            }
        }
        for account in accounts { self.pump(account) }
    }

    /// Retries whose time has come go back in line; accounts with receivers, an empty queue and
    /// something left in the store are refilled. Called periodically.
    func sweep(now: Int64) {
        var refills: [String] = []
        var pumps: [String] = []
        self.queues.withLock { queues in
            for (account, queue) in queues where !queue.targets.isEmpty {
                let due = queue.retry.filter { $0.1 <= now }
                if !due.isEmpty {
                    queue.retry.removeAll { $0.1 <= now }
                    for (delivery, _) in due { queue.pending.append(delivery) }
                    pumps.append(account)
                }
                if queue.incomplete, !queue.loading { refills.append(account) }
            }
        }
        for account in refills { self.refill(account) }
        for account in pumps { self.pump(account) }
    }

    private func refill(_ accountID: String) {
        let after: Int64? = self.queues.withLock { queues in
            guard let queue = queues[accountID], !queue.targets.isEmpty, !queue.loading,
                queue.incomplete, queue.pending.count < self.capacity / 2
            else { return nil }
            queue.loading = true
            queue.arrivals = []
            queue.arrivalsOverflowed = false
            return queue.loadedThrough
        }
        guard let after else { return }
        Task {
            let loaded = await self.load(accountID, after, self.pageSize)
            let again = self.queues.withLock { queues -> Bool in
                guard let queue = queues[accountID] else { return false }
                queue.loading = false
                guard !queue.targets.isEmpty else {
                    return false
                }
                guard let loaded else {
                    // Still owed and still in the store: the next sweep loads them.
                    queue.incomplete = true
                    queue.arrivals = []
                    queue.arrivalsOverflowed = false
                    return false
                }
                for delivery in loaded where delivery.sequence > queue.loadedThrough && !queue.known.contains(delivery.sequence) {
                    queue.pending.append(delivery)
                    queue.known.insert(delivery.sequence)
                    queue.loadedThrough = delivery.sequence
                }
                let everything = loaded.count < self.pageSize
                if everything && !queue.arrivalsOverflowed {
                    // The load read all that was stored; what arrived meanwhile follows it.
                    for delivery in queue.arrivals where delivery.sequence > queue.loadedThrough && !queue.known.contains(delivery.sequence) {
                        queue.pending.append(delivery)
                        queue.known.insert(delivery.sequence)
                        queue.loadedThrough = delivery.sequence
                    }
                    queue.incomplete = false
                } else {
                    queue.incomplete = true
                }
                queue.arrivals = []
                queue.arrivalsOverflowed = false
                return queue.incomplete && queue.pending.count < self.capacity / 2
            }
            self.pump(accountID)
            if again { self.refill(accountID) }
        }
    }

    /// Hands pending deliveries to targets with room in their window.
    func pump(_ accountID: String) {
        var sends: [ObjectIdentifier: (target: any DeliveryTarget, deliveries: [Delivery])] = [:]
        self.queues.withLock { queues in
            guard let queue = queues[accountID], !queue.rotation.isEmpty else { return }
            var stalled = 0
            while !queue.pending.isEmpty, stalled < queue.rotation.count {
                let id = queue.rotation[queue.next % queue.rotation.count]
                queue.next &+= 1
                guard var slot = queue.targets[id], slot.inFlight < slot.target.window else {
                    stalled += 1
                    continue
                }
                stalled = 0
                let delivery = queue.pending.removeFirst()
                slot.inFlight += 1
                queue.targets[id] = slot
                sends[id, default: (slot.target, [])].deliveries.append(delivery)
            }
        }
        for (id, send) in sends {
            send.target.deliver(send.deliveries) { delivery, ok in
                self.completed(delivery, target: id, ok: ok)
            }
        }
        if !sends.isEmpty { self.refill(accountID) }
    }

    private func completed(_ delivery: Delivery, target: ObjectIdentifier?, ok: Bool) {
        let account = delivery.accountID
        self.queues.withLock { queues in
            guard let queue = queues[account] else { return }
            if let target, var slot = queue.targets[target] {
                slot.inFlight -= 1
                queue.targets[target] = slot
            }
            if ok {
                queue.known.remove(delivery.sequence)
            } else if queue.targets.isEmpty {
                queue.known.remove(delivery.sequence)  // the store still has it
            } else {
                var again = delivery
                again.attempts += 1
                queue.retry.append((again, self.clock.wallMilliseconds + self.retryDelayMilliseconds))
            }
        }
        if ok { self.acknowledged(delivery) }
        self.pump(account)
    }
}
