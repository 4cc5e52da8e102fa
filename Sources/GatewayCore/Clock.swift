import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time in milliseconds since 1970 (timestamps of messages, ids, expiry).
public func wallClockMilliseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
}

/// Monotonic time in nanoseconds (rate limits, timers).
public func monotonicNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

/// The one clock of the domain (DESIGN.md rule 9): timestamps, expiry, throughput limits and
/// retries read it, so that tests drive them with a `ManualGatewayClock` instead of sleeping.
public protocol GatewayClock: Sendable {
    /// Wall-clock time in milliseconds since 1970.
    var wallMilliseconds: Int64 { get }
    /// Monotonic time in nanoseconds (rate limits).
    var monotonicNanoseconds: Int64 { get }
}

/// The operating system's clocks.
public struct SystemClock: GatewayClock {
    public init() {}
    public var wallMilliseconds: Int64 { wallClockMilliseconds() }
    public var monotonicNanoseconds: Int64 { GatewayCore.monotonicNanoseconds() }
}

/// A clock that moves only when told (tests). Both readings advance together.
public final class ManualGatewayClock: GatewayClock {
    private let state: Mutex<(wall: Int64, monotonic: Int64)>

    /// Starts at `wallMilliseconds` (now by default, so that validity periods behave) and a
    /// monotonic reading of zero.
    public init(wallMilliseconds: Int64 = wallClockMilliseconds()) {
        self.state = Mutex((wallMilliseconds, 0))
    }

    public var wallMilliseconds: Int64 { self.state.withLock { $0.wall } }
    public var monotonicNanoseconds: Int64 { self.state.withLock { $0.monotonic } }

    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        self.state.withLock { state in
            state.wall += nanoseconds / 1_000_000
            state.monotonic += nanoseconds
        }
    }
}
