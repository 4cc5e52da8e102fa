public import NIOCore

/// An event loop's notion of now as an `InstantProtocol`, so the state machine runs on real
/// event loops and on `EmbeddedEventLoop`'s manual time alike.
public struct EventLoopInstant: InstantProtocol, Sendable, CustomStringConvertible {
    public var deadline: NIODeadline

    public init(_ deadline: NIODeadline) { self.deadline = deadline }

    public func advanced(by duration: Duration) -> EventLoopInstant {
        EventLoopInstant(self.deadline + .nanoseconds(Self.nanoseconds(duration)))
    }

    public func duration(to other: EventLoopInstant) -> Duration {
        .nanoseconds(Int64(other.deadline.uptimeNanoseconds) - Int64(self.deadline.uptimeNanoseconds))
    }

    public static func < (lhs: EventLoopInstant, rhs: EventLoopInstant) -> Bool { lhs.deadline < rhs.deadline }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    public var description: String { "\(self.deadline.uptimeNanoseconds)ns" }
}
