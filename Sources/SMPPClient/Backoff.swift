/// Jittered exponential backoff for reconnecting and rebinding (after GRPC's
/// `Client/Connection/Backoff.swift`): each delay is the previous one times `multiplier`, capped
/// at `maximum`, then spread by ±`jitter` so that many binds dropped at once do not return at
/// once.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// Fraction of each delay added or taken away at random, 0…1.
    public var jitter: Double

    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(60), multiplier: Double = 1.6, jitter: Double = 0.2) {
        precondition(initial > .zero && maximum >= initial && multiplier >= 1 && (0...1).contains(jitter))
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The delays, one per failed attempt; never ends (the caller decides when to give up).
    public func delays<R: RandomNumberGenerator>(using generator: R) -> Delays<R> {
        Delays(backoff: self, generator: generator)
    }

    public func delays() -> Delays<SystemRandomNumberGenerator> { self.delays(using: SystemRandomNumberGenerator()) }

    public struct Delays<R: RandomNumberGenerator>: IteratorProtocol, Sequence {
        let backoff: Backoff
        var generator: R
        var unjittered: Double?

        public mutating func next() -> Duration? {
            let maximum = seconds(self.backoff.maximum)
            let base = self.unjittered.map { Swift.min($0 * self.backoff.multiplier, maximum) } ?? seconds(self.backoff.initial)
            self.unjittered = base
            let spread = base * self.backoff.jitter
            let jittered = spread > 0 ? Double.random(in: (base - spread)...(base + spread), using: &self.generator) : base
            return .nanoseconds(Int64((Swift.min(jittered, maximum) * 1e9).rounded()))
        }
    }
}

private func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}
