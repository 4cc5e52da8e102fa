import Synchronization

/// A message id: a time-ordered 64-bit number, unique across nodes without coordination.
///
/// Layout (most significant first): 42 bits of milliseconds since 2024-01-01T00:00:00Z (139
/// years), 10 bits of node id, 12 bits of sequence within the millisecond (4,096 ids per
/// millisecond per node; the generator borrows the next millisecond when they run out).
///
/// Its one text form, used in submit_sm_resp, the receipt's `id:`, `receipted_message_id`, the
/// HTTP API and the store, is 16 lower-case hexadecimal digits (`0190f3a1c2000001`).
public struct MessageID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// 2024-01-01T00:00:00Z in milliseconds since 1970.
    public static let epochMilliseconds: Int64 = 1_704_067_200_000

    /// Parses the text form; hex of any case and without the leading zeros is accepted too.
    public init?(_ text: some StringProtocol) {
        guard !text.isEmpty, text.count <= 16, let value = UInt64(text, radix: 16) else { return nil }
        self.rawValue = value
    }

    public var description: String {
        let digits = String(self.rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The text form as ASCII octets, without making a String.
    public var hexOctets: [UInt8] {
        let digits: StaticString = "0123456789abcdef"
        return digits.withUTF8Buffer { table in
            (0..<16).map { index in table[Int((self.rawValue >> (60 - 4 * UInt64(index))) & 0xF)] }
        }
    }

    /// When the id was made, in milliseconds since 1970.
    public var milliseconds: Int64 { Int64(self.rawValue >> 22) + Self.epochMilliseconds }
    public var node: Int { Int((self.rawValue >> 12) & 0x3FF) }

    public static func < (lhs: MessageID, rhs: MessageID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Makes `MessageID`s for one node. Thread-safe.
public final class MessageIDGenerator: Sendable {
    public let node: Int
    private let state = Mutex<(milliseconds: Int64, sequence: UInt64)>((0, 0))
    private let clock: @Sendable () -> Int64

    /// `node`: 0…1023, distinct per node of a cluster.
    public init(node: Int, clock: @escaping @Sendable () -> Int64 = { wallClockMilliseconds() }) {
        precondition((0...1023).contains(node), "node id must be 0…1023")
        self.node = node
        self.clock = clock
    }

    public func next() -> MessageID {
        let now = self.clock() - MessageID.epochMilliseconds
        let (milliseconds, sequence) = self.state.withLock { state -> (Int64, UInt64) in
            if now > state.milliseconds {
                state = (now, 0)
            } else if state.sequence >= 0xFFF {
                state = (state.milliseconds + 1, 0)  // borrow the next millisecond
            } else {
                state.sequence += 1
            }
            return state
        }
        return MessageID(rawValue: UInt64(milliseconds) << 22 | UInt64(self.node) << 12 | sequence)
    }
}
