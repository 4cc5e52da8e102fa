import NIOCore

/// The rules of the `DeliveryHub` as a pure state machine, like `SessionStateMachine`: events
/// in (a receiver attached or gone, deliveries stored, a load from the store finished, a
/// delivery answered, a sweep), actions out (send these to that receiver, load from the store,
/// this one was acknowledged). No locks, no I/O, no clock of its own: the hub runs the actions,
/// tests play scripts of events.
///
/// The store is the truth: memory holds a bounded part (`capacity` per account) of what is owed
/// to accounts that have a receiver bound, refilled from the store (`pageSize` at a time) when it
/// runs low. Each receiver gets no more than its window unanswered; a delivery refused or lost
/// is tried again after `retryDelayMilliseconds` while the account has a receiver.
struct DeliveryHubStateMachine {
    typealias TargetID = ObjectIdentifier

    enum Action: Equatable {
        /// Send these (in order, together) to the receiver.
        case send([Delivery], to: TargetID)
        /// Read up to `limit` deliveries owed to `account` with a sequence above `after`, then
        /// report them with `loaded(account:_:)` (nil if the store could not be read).
        case load(account: String, after: Int64, limit: Int)
        /// The customer acknowledged it: it may leave the store.
        case acknowledged(Delivery)
    }

    struct Slot {
        var window: Int
        var inFlight: Int
    }

    /// A class, so that events change it in place (a struct in the dictionary would be copied,
    /// pending buffer and all, on every change).
    final class Queue {
        var pending = CircularBuffer<Delivery>()
        var targets: [TargetID: Slot] = [:]
        var rotation: [TargetID] = []
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
    let pageSize: Int
    let retryDelayMilliseconds: Int64
    private(set) var queues: [String: Queue] = [:]

    init(capacity: Int = 20_000, pageSize: Int = 5_000, retryDelayMilliseconds: Int64 = 2_000) {
        self.capacity = capacity
        self.pageSize = pageSize
        self.retryDelayMilliseconds = retryDelayMilliseconds
    }

    // MARK: events

    /// A receiver of `account` is ready: what is owed loads from the store and goes out.
    mutating func attach(_ target: TargetID, account: String, window: Int) -> [Action] {
        let queue = self.queues[account] ?? Queue()
        queue.targets[target] = Slot(window: window, inFlight: 0)
        queue.rotation.append(target)
        self.queues[account] = queue
        return self.refill(account) + self.pump(account)
    }

    /// A receiver is gone. With none left, memory lets go: the store keeps what is owed, and
    /// what was in flight comes back as failures.
    mutating func detach(_ target: TargetID, account: String) -> [Action] {
        guard let queue = self.queues[account] else { return [] }
        queue.targets[target] = nil
        queue.rotation.removeAll { $0 == target }
        if queue.targets.isEmpty {
            for delivery in queue.pending { queue.known.remove(delivery.sequence) }
            for (delivery, _) in queue.retry { queue.known.remove(delivery.sequence) }
            queue.pending.removeAll()
            queue.retry.removeAll()
            queue.loadedThrough = 0
            queue.incomplete = true
        }
        return []
    }

    /// Newly stored deliveries. Accounts without a receiver keep them in the store only.
    mutating func enqueue(_ deliveries: [Delivery]) -> [Action] {
        var accounts: [String] = []
        for delivery in deliveries {
            guard let queue = self.queues[delivery.accountID], !queue.targets.isEmpty else { continue }
            if delivery.sequence <= queue.loadedThrough { continue }  // a refill already has it
            if queue.loading {
                if queue.arrivals.count < self.capacity { queue.arrivals.append(delivery) } else { queue.arrivalsOverflowed = true }
            } else if queue.incomplete || queue.pending.count >= self.capacity {
                queue.incomplete = true
            } else {
                queue.pending.append(delivery)
                queue.known.insert(delivery.sequence)
                queue.loadedThrough = delivery.sequence
                if !accounts.contains(delivery.accountID) { accounts.append(delivery.accountID) }
            }
        }
        return accounts.flatMap { self.pump($0) }
    }

    /// A load asked for by a `.load` action finished (`nil`: the store could not be read; the
    /// next sweep tries again).
    mutating func loaded(account: String, _ loaded: [Delivery]?) -> [Action] {
        guard let queue = self.queues[account] else { return [] }
        queue.loading = false
        guard !queue.targets.isEmpty else {
            return []
        }
        guard let loaded else {
            queue.incomplete = true
            queue.arrivals = []
            queue.arrivalsOverflowed = false
            return []
        }
        for delivery in loaded where delivery.sequence > queue.loadedThrough && !queue.known.contains(delivery.sequence) {
            queue.pending.append(delivery)
            queue.known.insert(delivery.sequence)
            queue.loadedThrough = delivery.sequence
        }
        if loaded.count < self.pageSize && !queue.arrivalsOverflowed {
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
        return self.pump(account) + self.refill(account)
    }

    /// A receiver answered a delivery: acknowledged (`ok`), or refused or lost — tried again
    /// `retryDelayMilliseconds` after `now` while the account has a receiver.
    mutating func completed(_ delivery: Delivery, target: TargetID, ok: Bool, now: Int64) -> [Action] {
        let account = delivery.accountID
        guard let queue = self.queues[account] else { return ok ? [.acknowledged(delivery)] : [] }
        if var slot = queue.targets[target] {
            slot.inFlight -= 1
            queue.targets[target] = slot
        }
        if ok || queue.targets.isEmpty {
            queue.known.remove(delivery.sequence)  // done, or (no receiver) the store still has it
        } else {
            var again = delivery
            again.attempts += 1
            queue.retry.append((again, now + self.retryDelayMilliseconds))
        }
        return (ok ? [.acknowledged(delivery)] : []) + self.pump(account)
    }

    /// Retries whose time has come go back in line; accounts with receivers and something left
    /// in the store are refilled. Called periodically.
    mutating func sweep(now: Int64) -> [Action] {
        var actions: [Action] = []
        for account in self.queues.keys.sorted() {
            guard let queue = self.queues[account], !queue.targets.isEmpty else { continue }
            let due = queue.retry.filter { $0.1 <= now }
            if !due.isEmpty {
                queue.retry.removeAll { $0.1 <= now }
                for (delivery, _) in due { queue.pending.append(delivery) }
            }
            if queue.incomplete, !queue.loading { actions += self.refill(account) }
            if !due.isEmpty { actions += self.pump(account) }
        }
        return actions
    }

    // MARK: rules

    /// Asks for a load when memory is low and the store has more.
    private mutating func refill(_ account: String) -> [Action] {
        guard let queue = self.queues[account], !queue.targets.isEmpty, !queue.loading, queue.incomplete,
            queue.pending.count < self.capacity / 2
        else { return [] }
        queue.loading = true
        queue.arrivals = []
        queue.arrivalsOverflowed = false
        return [.load(account: account, after: queue.loadedThrough, limit: self.pageSize)]
    }

    /// Hands pending deliveries to receivers with room in their window, in turn.
    private mutating func pump(_ account: String) -> [Action] {
        guard let queue = self.queues[account], !queue.rotation.isEmpty else { return [] }
        var sends: [(TargetID, [Delivery])] = []
        var stalled = 0
        while !queue.pending.isEmpty, stalled < queue.rotation.count {
            let id = queue.rotation[queue.next % queue.rotation.count]
            queue.next &+= 1
            guard var slot = queue.targets[id], slot.inFlight < slot.window else {
                stalled += 1
                continue
            }
            stalled = 0
            let delivery = queue.pending.removeFirst()
            slot.inFlight += 1
            queue.targets[id] = slot
            if let index = sends.firstIndex(where: { $0.0 == id }) { sends[index].1.append(delivery) } else { sends.append((id, [delivery])) }
        }
        guard !sends.isEmpty else { return [] }
        return sends.map { Action.send($0.1, to: $0.0) } + self.refill(account)
    }
}
