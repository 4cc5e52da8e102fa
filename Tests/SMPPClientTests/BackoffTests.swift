import SMPPClient
import Testing

struct FixedRandom: RandomNumberGenerator {
    var state: UInt64 = 0x1234_5678
    mutating func next() -> UInt64 {
        self.state = self.state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return self.state
    }
}

@Suite("Reconnect backoff")
struct BackoffTests {
    @Test("without jitter: initial, times the multiplier, capped at the maximum")
    func exponential() {
        let delays = Array(Backoff(initial: .seconds(1), maximum: .seconds(60), multiplier: 2, jitter: 0).delays().prefix(9))
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
    }

    @Test("with jitter: every delay within ±20 % of its step and never above the cap; not all equal")
    func jitter() {
        let backoff = Backoff()  // 1 s × 1.6, ±20 %, capped at 60 s
        var base = 1.0
        var seen = Set<Duration>()
        for delay in backoff.delays(using: FixedRandom()).prefix(30) {
            let (seconds, attoseconds) = delay.components
            let value = Double(seconds) + Double(attoseconds) / 1e18
            #expect(value >= base * 0.8 - 1e-9 && value <= min(base * 1.2, 60) + 1e-9)
            seen.insert(delay)
            base = min(base * 1.6, 60)
        }
        #expect(seen.count > 20)
    }
}
