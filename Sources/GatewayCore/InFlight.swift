import Synchronization

/// Messages stored and not yet moved on from `queued` (scheduled ones aside): the smallest is
/// the dispatch watermark each outbox commit records, so that a restart looks no further back.
final class InFlight: Sendable {
    private let state = Mutex<(ids: Set<MessageID>, highest: MessageID, resumed: Bool)>((Set(), MessageID(rawValue: 0), false))

    /// Counts messages as in flight (accepted, not yet moved on from `queued`).
    func track(_ ids: some Sequence<MessageID>) {
        self.state.withLock { state in
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
        self.state.withLock { state in
            for id in removed { state.ids.remove(id) }
            guard state.resumed else { return nil }
            return state.ids.min() ?? MessageID(rawValue: state.highest.rawValue + 1)
        }
    }

    /// Every message stored before this run has been handed on: watermarks may be recorded.
    func resumed() { self.state.withLock { $0.resumed = true } }
}
