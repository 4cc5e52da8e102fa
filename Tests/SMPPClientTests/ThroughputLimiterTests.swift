import SMPPClient
import Testing

/// A manual clock's instant in milliseconds.
struct Ms: InstantProtocol, CustomStringConvertible {
    var offset: Duration
    init(_ milliseconds: Int) { self.offset = .milliseconds(milliseconds) }
    init(offset: Duration) { self.offset = offset }
    func advanced(by duration: Duration) -> Ms { Ms(offset: self.offset + duration) }
    func duration(to other: Ms) -> Duration { other.offset - self.offset }
    static func < (lhs: Ms, rhs: Ms) -> Bool { lhs.offset < rhs.offset }
    var description: String { "\(self.offset)" }
}

@Suite("Throughput limiter")
struct ThroughputLimiterTests {
    @Test("a burst goes out at once, then tokens come back at the rate")
    func rate() {
        var limiter = ThroughputLimiter(perSecond: 100, burst: 10, now: Ms(0))
        for _ in 0..<10 { #expect(limiter.acquire(now: Ms(0)) == .granted) }
        #expect(limiter.acquire(now: Ms(0)) == .retry(at: Ms(10)))  // one token per 10 ms
        #expect(limiter.acquire(now: Ms(10)) == .granted)
        #expect(limiter.acquire(now: Ms(10)) == .retry(at: Ms(20)))
    }

    @Test("over a long run the granted count follows the rate, whatever the burst")
    func longRun() {
        var limiter = ThroughputLimiter(perSecond: 250, burst: 5, now: Ms(0))
        var granted = 0
        var now = Ms(0)
        while now < Ms(4000) {
            switch limiter.acquire(now: now) {
            case .granted: granted += 1
            case .retry(let at): now = at
            }
        }
        #expect((1000...1005).contains(granted))  // 4 s × 250/s, plus the initial burst
    }

    @Test("a long message takes one token per segment; idle time never banks more than the burst")
    func segments() {
        var limiter = ThroughputLimiter(perSecond: 10, now: Ms(0))
        #expect(limiter.acquire(4, now: Ms(0)) == .granted)
        #expect(limiter.acquire(7, now: Ms(0)) == .retry(at: Ms(100)))
        #expect(limiter.acquire(10, now: Ms(60_000)) == .granted)
        #expect(limiter.acquire(now: Ms(60_000)) == .retry(at: Ms(60_100)))
    }
}
