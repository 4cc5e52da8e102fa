import Synchronization

/// A token bucket per account: `rate` tokens a second, bursts up to one second's worth.
/// Thread-safe; never sleeps — it answers whether the message may pass now.
final class ThroughputLimit: Sendable {
    let rate: Int
    private let state: Mutex<(tokens: Double, last: Int64)>

    init(rate: Int, now: Int64) {
        self.rate = rate
        self.state = Mutex((Double(rate), now))
    }

    func take(_ count: Int, now: Int64) -> Bool {
        self.state.withLock { state in
            let elapsed = Double(max(0, now - state.last)) / 1e9
            state.tokens = min(Double(self.rate), state.tokens + elapsed * Double(self.rate))
            state.last = now
            guard state.tokens >= Double(count) else { return false }
            state.tokens -= Double(count)
            return true
        }
    }
}

