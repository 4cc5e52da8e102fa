/// A token bucket for "at most N messages per second" across a connector's binds (SMPP-NOTES
/// problems #6/#7: carriers throttle per segment, so one long message takes one token per part).
///
/// A pure value over the caller's clock: `acquire(_:now:)` either grants the tokens or says when
/// to try again, and never sleeps itself.
public struct ThroughputLimiter<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    public enum Decision: Sendable, Equatable {
        case granted
        /// Not enough tokens: try again at this instant.
        case retry(at: Instant)
    }

    /// Tokens added per second.
    public let rate: Double
    /// The most tokens that may build up: how large a burst may go out at once.
    public let burst: Double
    private var tokens: Double
    private var updated: Instant

    /// `burst` defaults to one second's worth (at least 1).
    public init(perSecond rate: Double, burst: Double? = nil, now: Instant) {
        precondition(rate > 0, "a rate must be positive")
        self.rate = rate
        self.burst = max(1, burst ?? rate)
        self.tokens = self.burst
        self.updated = now
    }

    /// Takes `count` tokens (one per PDU, or one per segment) if they are there.
    public mutating func acquire(_ count: Int = 1, now: Instant) -> Decision {
        precondition(count >= 1 && Double(count) <= self.burst, "more tokens than the bucket holds")
        self.refill(now: now)
        let needed = Double(count)
        if self.tokens >= needed {
            self.tokens -= needed
            return .granted
        }
        let wait = (needed - self.tokens) / self.rate
        return .retry(at: now.advanced(by: .nanoseconds(Int64((wait * 1e9).rounded(.up)))))
    }

    private mutating func refill(now: Instant) {
        let elapsed = self.updated.duration(to: now)
        guard elapsed > .zero else { return }
        let (seconds, attoseconds) = elapsed.components
        self.tokens = min(self.burst, self.tokens + (Double(seconds) + Double(attoseconds) / 1e18) * self.rate)
        self.updated = now
    }
}
