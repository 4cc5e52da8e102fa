import Synchronization

/// Items handed over from many threads and taken in batches by one consumer task: the shape of
/// a group commit. Whatever arrives while the consumer is busy goes into its next batch, so a
/// slow commit makes bigger batches rather than a longer queue of transactions.
final class Batcher<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// Adds an item; returns how many are waiting (for backpressure).
    @discardableResult
    func append(_ item: Item) -> Int {
        let (count, waiter) = self.state.withLock { state in
            state.items.append(item)
            let waiter = state.waiter
            state.waiter = nil
            return (state.items.count, waiter)
        }
        waiter?.resume()
        return count
    }

    /// Adds an item unless the batcher is closed (its consumer may have finished): false then.
    func appendIfOpen(_ item: Item) -> Bool {
        let (added, waiter) = self.state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed else { return (false, nil) }
            state.items.append(item)
            let waiter = state.waiter
            state.waiter = nil
            return (true, waiter)
        }
        waiter?.resume()
        return added
    }

    func append(contentsOf items: some Sequence<Item>) {
        let waiter = self.state.withLock { state in
            state.items.append(contentsOf: items)
            let waiter = state.items.isEmpty ? nil : state.waiter
            if waiter != nil { state.waiter = nil }
            return waiter
        }
        waiter?.resume()
    }

    var count: Int { self.state.withLock { $0.items.count } }
    var isClosed: Bool { self.state.withLock { $0.closed } }

    /// The next batch (at most `maximum` items), waiting for one; `nil` once closed and drained.
    func next(maximum: Int) async -> [Item]? {
        while true {
            let taken: [Item]? = self.state.withLock { state in
                guard !state.items.isEmpty else { return state.closed ? [] : nil }
                if state.items.count <= maximum {
                    let batch = state.items
                    state.items = []
                    state.items.reserveCapacity(batch.count)
                    return batch
                }
                let batch = Array(state.items.prefix(maximum))
                state.items.removeFirst(maximum)
                return batch
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { continuation in
                let resumeNow = self.state.withLock { state in
                    if !state.items.isEmpty || state.closed { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// No more items will come: `next` drains what is left, then returns `nil`.
    func close() {
        let waiter = self.state.withLock { state in
            state.closed = true
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
