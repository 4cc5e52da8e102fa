public import SMPPCore

/// The requests a session has sent and not yet had answered, keyed by sequence number (responses
/// may arrive in any order, §2.7).
///
/// A pure value: no clock, no I/O. Deadlines are of the caller's `Instant` type (a `NIODeadline`
/// in the channel handler, a manual clock in tests); the owner schedules one timer for
/// `earliestDeadline` and calls `expire(now:)` when it fires. Sequence numbers run
/// 1…0x7FFFFFFF (§5.1.4) and wrap, skipping any still pending.
public struct SessionWindow<Instant: Comparable & Sendable, Context: Sendable>: Sendable {
    public struct Entry: Sendable {
        public var commandID: CommandID
        public var deadline: Instant
        /// Whatever the owner needs to complete the request (a promise, a message id…).
        public var context: Context
    }

    /// What became of a response.
    public enum Match: Sendable {
        /// The response answers this request (generic_nack answers any request).
        case matched(Entry)
        /// No request with this sequence number is pending: a late or foreign response.
        case unknownSequenceNumber
        /// The sequence number is pending, but for another command: the request is taken out of
        /// the window and should fail, as the peer has confused its sessions.
        case mismatched(Entry)
    }

    public static var maximumSequenceNumber: UInt32 { 0x7FFF_FFFF }

    /// How many requests may be outstanding at once.
    public let capacity: Int
    private var pending: [UInt32: Entry] = [:]
    private var nextSequence: UInt32

    public init(capacity: Int, firstSequenceNumber: UInt32 = 1) {
        precondition(capacity >= 1, "a window holds at least one request")
        precondition((1...Self.maximumSequenceNumber).contains(firstSequenceNumber))
        self.capacity = capacity
        self.nextSequence = firstSequenceNumber
        self.pending.reserveCapacity(capacity)
    }

    public var count: Int { self.pending.count }
    public var isEmpty: Bool { self.pending.isEmpty }
    public var isFull: Bool { self.pending.count >= self.capacity }

    /// Records a request and returns the sequence number to send it with, or `nil` when the
    /// window is full.
    public mutating func add(_ commandID: CommandID, deadline: Instant, context: Context) -> UInt32? {
        guard !self.isFull else { return nil }
        var sequence = self.nextSequence
        while self.pending[sequence] != nil { sequence = Self.successor(of: sequence) }
        self.nextSequence = Self.successor(of: sequence)
        self.pending[sequence] = Entry(commandID: commandID, deadline: deadline, context: context)
        return sequence
    }

    /// A sequence number for a PDU that expects no response (generic_nack has the request's own;
    /// outbind and alert_notification need a fresh one). It is not recorded.
    public mutating func nextUnrecordedSequenceNumber() -> UInt32 {
        var sequence = self.nextSequence
        while self.pending[sequence] != nil { sequence = Self.successor(of: sequence) }
        self.nextSequence = Self.successor(of: sequence)
        return sequence
    }

    /// Takes the request that `response` answers out of the window.
    public mutating func complete(_ response: CommandID, sequenceNumber: UInt32) -> Match {
        guard let entry = self.pending[sequenceNumber] else { return .unknownSequenceNumber }
        self.pending[sequenceNumber] = nil
        if response == .genericNack || response == entry.commandID.response { return .matched(entry) }
        return .mismatched(entry)
    }

    /// Takes a request out of the window without a response (it could not be sent).
    public mutating func remove(sequenceNumber: UInt32) -> Entry? {
        self.pending.removeValue(forKey: sequenceNumber)
    }

    /// The deadline the owner's single timer should be set to.
    public var earliestDeadline: Instant? { self.pending.values.lazy.map(\.deadline).min() }

    /// Takes out every request whose deadline is at or before `now`, in sequence order.
    public mutating func expire(now: Instant) -> [(sequenceNumber: UInt32, entry: Entry)] {
        let expired = self.pending.filter { $0.value.deadline <= now }.sorted { $0.key < $1.key }
        for (sequence, _) in expired { self.pending[sequence] = nil }
        return expired.map { (sequenceNumber: $0.key, entry: $0.value) }
    }

    /// Takes out every request (the connection is gone), in sequence order.
    public mutating func removeAll() -> [(sequenceNumber: UInt32, entry: Entry)] {
        let all = self.pending.sorted { $0.key < $1.key }.map { (sequenceNumber: $0.key, entry: $0.value) }
        self.pending.removeAll()
        return all
    }

    static func successor(of sequence: UInt32) -> UInt32 {
        sequence >= Self.maximumSequenceNumber ? 1 : sequence + 1
    }
}
