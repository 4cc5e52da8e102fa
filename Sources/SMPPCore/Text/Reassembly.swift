public import NIOCore

/// Where a part of a concatenated message sits, read from a UDH (IEI 0x00 or 0x08) or SAR TLVs.
public struct ConcatenationInfo: Hashable, Sendable {
    public var reference: UInt16
    public var total: UInt8
    /// 1-based.
    public var sequence: UInt8
    /// The part's own content: short_message without its UDH.
    public var content: ByteBuffer

    /// Reads the concatenation of a received short_message. With esm_class UDHI the UDH is parsed
    /// (other information elements are skipped); otherwise the SAR TLVs are used. `nil` when the
    /// message is not a part, or its UDH is malformed.
    public init?(shortMessage: ByteBuffer, esmClass: ESMClass, tlvs: TLVList) {
        if esmClass.udhi {
            guard let (reference, total, sequence, content) = Self.parseUDH(shortMessage) else { return nil }
            self.init(reference: reference, total: total, sequence: sequence, content: content)
        } else if let reference = tlvs.sarMsgRefNum, let total = tlvs.sarTotalSegments, let sequence = tlvs.sarSegmentSeqnum {
            self.init(reference: reference, total: total, sequence: sequence, content: shortMessage)
        } else {
            return nil
        }
        guard self.total >= 1, (1...self.total).contains(self.sequence) else { return nil }
    }

    public init(reference: UInt16, total: UInt8, sequence: UInt8, content: ByteBuffer) {
        self.reference = reference
        self.total = total
        self.sequence = sequence
        self.content = content
    }

    /// The User Data Header without its concatenation element, or `nil` if malformed / absent.
    static func parseUDH(_ message: ByteBuffer) -> (UInt16, UInt8, UInt8, ByteBuffer)? {
        var buffer = message
        guard let length = buffer.readInteger(as: UInt8.self), var header = buffer.readSlice(length: Int(length)) else {
            return nil
        }
        var found: (UInt16, UInt8, UInt8)?
        while header.readableBytes > 0 {
            guard let (iei, ieLength) = header.readMultipleIntegers(as: (UInt8, UInt8).self),
                var element = header.readSlice(length: Int(ieLength))
            else { return nil }
            switch (iei, ieLength) {
            case (0x00, 3):
                let (reference, total, sequence) = element.readMultipleIntegers(as: (UInt8, UInt8, UInt8).self)!
                found = (UInt16(reference), total, sequence)
            case (0x08, 4):
                let (reference, total, sequence) = element.readMultipleIntegers(as: (UInt16, UInt8, UInt8).self)!
                found = (reference, total, sequence)
            default:
                continue
            }
        }
        guard let (reference, total, sequence) = found else { return nil }
        return (reference, total, sequence, buffer)
    }
}

/// Puts inbound concatenated messages back together, in any arrival order (UDH 8/16-bit or SAR).
///
/// Parts are grouped by `(key, reference, total)`, where the key is whatever identifies the
/// conversation to the caller (typically source and destination address). Memory is bounded: at
/// most `maximumPending` messages are held; beyond that the oldest is dropped and returned by
/// `add` so the caller can deliver what it has or log it. No clock: call `evict(olderThan:)` with
/// the caller's own tick.
public struct ConcatenationReassembler<Key: Hashable & Sendable>: Sendable {
    public struct GroupKey: Hashable, Sendable {
        public var key: Key
        public var reference: UInt16
        public var total: UInt8
    }

    public struct Pending: Sendable {
        public var parts: [ByteBuffer?]
        public var received: Int
        public var firstSeen: UInt64
    }

    public enum Outcome: Sendable {
        /// More parts are awaited.
        case waiting
        /// Every part arrived: the contents in sequence order.
        case complete([ByteBuffer])
        /// A part with the same sequence number arrived twice; the first is kept.
        case duplicate
        /// The part's sequence number is 0 or above its total: it is not kept.
        case invalid
    }

    public private(set) var pending: [GroupKey: Pending] = [:]
    public var maximumPending: Int

    public init(maximumPending: Int = 10_000) { self.maximumPending = maximumPending }

    /// Adds one part; `now` is any monotonic tick the caller uses for `evict(olderThan:)`.
    public mutating func add(_ part: ConcatenationInfo, key: Key, now: UInt64 = 0) -> Outcome {
        guard part.total >= 1, (1...part.total).contains(part.sequence) else { return .invalid }
        let group = GroupKey(key: key, reference: part.reference, total: part.total)
        var entry = self.pending[group] ?? Pending(parts: Array(repeating: nil, count: Int(part.total)), received: 0, firstSeen: now)
        let index = Int(part.sequence) - 1
        guard entry.parts[index] == nil else { return .duplicate }
        entry.parts[index] = part.content
        entry.received += 1
        if entry.received == Int(part.total) {
            self.pending[group] = nil
            return .complete(entry.parts.map { $0! })
        }
        if self.pending[group] == nil, self.pending.count >= self.maximumPending,
            let oldest = self.pending.min(by: { $0.value.firstSeen < $1.value.firstSeen })?.key
        {
            self.pending[oldest] = nil
        }
        self.pending[group] = entry
        return .waiting
    }

    /// Drops incomplete messages first seen before `tick`, returning them.
    public mutating func evict(olderThan tick: UInt64) -> [GroupKey: Pending] {
        let old = self.pending.filter { $0.value.firstSeen < tick }
        for key in old.keys { self.pending[key] = nil }
        return old
    }
}
