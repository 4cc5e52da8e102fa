/// Matches delivery receipts to submitted messages by the SMSC's message id, however the SMSC
/// writes it in the receipt (SMPP-NOTES problem #1: "Got a DLR for an unknown message id:
/// 00B8BE19 (coded:B8BE19)").
///
/// SMPP v3.4 makes message_id an opaque C-Octet String (§5.2.23) but Appendix B shows the
/// receipt `id:` as 10 decimal digits, so SMSCs answer submit_sm_resp with hex and report
/// receipts in decimal (or the other way round), with or without leading zeros, in either case.
public enum MessageIDForm: Sendable, Hashable {
    /// Compare verbatim.
    case exact
    /// Ignore case and leading zeros.
    case normalized
    /// Also match the hex and decimal spellings of the same number.
    case automatic
}

/// The spellings a message id may have under `form`: its normalised form first, then (for
/// `.automatic`) the same number in the other base — a hex-looking id's decimal value, a
/// decimal id's hex value.
public func messageIDSpellings(_ id: String, form: MessageIDForm) -> [String] {
    guard form != .exact else { return [id] }
    let normalized = normalizedMessageID(id)
    guard form == .automatic, !normalized.isEmpty else { return [normalized] }
    var spellings = [normalized]
    if normalized.allSatisfy(\.isHexDigit), let value = UInt64(normalized, radix: 16) {
        spellings.append(String(value))
    }
    if normalized.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(normalized) {
        spellings.append(String(value, radix: 16))
    }
    return spellings
}

/// `id` without leading zeros ("0" if nothing else is left) and with ASCII letters in lowercase.
public func normalizedMessageID(_ id: String) -> String {
    var id = id
    return id.withUTF8 { bytes -> String? in
        // One pass over contiguous bytes: the leading zeros, and whether any letter is upper case.
        var start = 0
        while start < bytes.count, bytes[start] == 0x30 { start += 1 }
        var upper = false
        for index in start..<bytes.count where (0x41...0x5A).contains(bytes[index]) {
            upper = true
            break
        }
        if start == 0, !upper { return nil }  // already normal: the same string
        if start == bytes.count { return bytes.isEmpty ? nil : "0" }
        let rest = UnsafeBufferPointer(rebasing: bytes[start...])
        if !upper { return String(decoding: rest, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: rest.count) { buffer in
            for (index, byte) in rest.enumerated() { buffer[index] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
            return rest.count
        }
    } ?? id
}

/// Submitted messages waiting for their receipts, keyed by the SMSC's message id.
///
/// Bounded: beyond `capacity` the oldest entries are dropped and counted in `evicted` (their
/// receipts will not match). A receipt matches its own normalised spelling first and only then
/// the other numeric spellings, so a submit whose id is spelled exactly like the receipt's wins.
///
/// An SMSC spells ids one way, so `.automatic` learns which: once 64 receipts have matched by
/// their own spelling and none by another base, only the own spelling is tried. Without this, a
/// receipt that overtakes its submit_sm_resp (hex `1a`) could take the entry of another message
/// whose id is its decimal spelling (`26`).
public struct MessageIDCorrelator<Value: Sendable>: Sendable {
    public let form: MessageIDForm
    public let capacity: Int
    @usableFromInline var entries: [String: (ticket: Int, value: Value)] = [:]
    /// Insertion order for eviction; stale tickets (matched or replaced) are skipped.
    @usableFromInline var order: [(key: String, ticket: Int)] = []
    @usableFromInline var head = 0
    @usableFromInline var nextTicket = 0
    @usableFromInline var _evicted = 0
    public var evicted: Int { self._evicted }
    /// Receipts matched by their own (normalised) spelling, and by the other base.
    @usableFromInline var _sameSpellingMatches = 0
    public var sameSpellingMatches: Int { self._sameSpellingMatches }
    @usableFromInline var _otherBaseMatches = 0
    public var otherBaseMatches: Int { self._otherBaseMatches }

    /// The carrier's submit_sm_resp ids have shown hex letters (a–f): it writes hex there.
    @usableFromInline var _responsesUseHexLetters = false
    public var responsesUseHexLetters: Bool { self._responsesUseHexLetters }
    /// A receipt id with hex letters matched a response by its own spelling: this carrier writes
    /// receipt ids as its responses do, so the other base is never tried again. (Tried anyway,
    /// a receipt that overtakes the recording of its own submission found another message's id
    /// in the other base — a dense counter makes that likely — and was lost as a "duplicate".)
    @usableFromInline var _receiptsAsGiven = false
    public var receiptsAsGiven: Bool { self._receiptsAsGiven }

    /// The spellings to look a receipt id up under, own first. Under `.automatic` the other base
    /// is tried only where it cannot be a different message of the same carrier: an id with hex
    /// letters is also read as hex (its decimal value); an id of digits only is also read as
    /// decimal (its hex value) only once the carrier's responses have shown hex letters. A
    /// carrier writing digits everywhere has "16" and "10" as two messages, never one.
    @inlinable
    public func spellings(_ id: String) -> [String] {
        switch self.form {
        case .exact: return [id]
        case .normalized: return [normalizedMessageID(id)]
        case .automatic:
            let normalized = normalizedMessageID(id)
            if self._receiptsAsGiven { return [normalized] }
            if normalized.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
                guard self._responsesUseHexLetters, let value = UInt64(normalized) else { return [normalized] }
                return [normalized, String(value, radix: 16)]
            }
            guard let decimal = Self.decimalValue(ofHex: normalized) else { return [normalized] }
            return [normalized, decimal]
        }
    }

    /// The spellings a receipt that came before this submit_sm_resp id may have used: its own;
    /// under `.automatic`, for an id with hex letters, also its decimal value.
    @inlinable
    public func responseSpellings(_ id: String) -> [String] {
        switch self.form {
        case .exact: return [id]
        case .normalized: return [normalizedMessageID(id)]
        case .automatic:
            let normalized = normalizedMessageID(id)
            guard normalized.utf8.contains(where: { (0x61...0x66).contains($0) }), let decimal = Self.decimalValue(ofHex: normalized) else {
                return [normalized]
            }
            return [normalized, decimal]
        }
    }

    /// A normalised id read as hex (lower-case digits only), in decimal; nil if it is not hex.
    @inlinable
    static func decimalValue(ofHex normalized: String) -> String? {
        guard normalized.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            let value = UInt64(normalized, radix: 16)
        else { return nil }
        return String(value)
    }

    @inlinable
    public init(form: MessageIDForm = .automatic, capacity: Int = 1_000_000) {
        precondition(capacity >= 1)
        self.form = form
        self.capacity = capacity
    }

    @inlinable
    public var count: Int { self.entries.count }

    /// Remembers `value` under the id from submit_sm_resp (a repeated id replaces the older entry).
    @inlinable
    public mutating func record(_ smscID: String, _ value: Value) {
        let key = self.form == .exact ? smscID : normalizedMessageID(smscID)
        if !self._responsesUseHexLetters, key.utf8.contains(where: { (0x61...0x66).contains($0) }) { self._responsesUseHexLetters = true }
        self.entries[key] = (self.nextTicket, value)
        self.order.append((key, self.nextTicket))
        self.nextTicket += 1
        while self.entries.count > self.capacity { self.evictOldest() }
        // Matched entries leave stale tickets behind: drop them once they dominate (amortised
        // O(1); without it the order grows by one per message for ever).
        if self.order.count - self.head > 2 * self.entries.count + 4_096 { self.compactOrder() }
    }

    @inlinable
    mutating func compactOrder() {
        self.order = self.order[self.head...].filter { self.entries[$0.key]?.ticket == $0.ticket }
        self.head = 0
    }

    /// The value recorded for the message a receipt id names, removed; `nil` if none.
    @inlinable
    public mutating func match(_ receiptID: String) -> Value? {
        // The own spelling first, without building the list of spellings.
        let own = self.form == .exact ? receiptID : normalizedMessageID(receiptID)
        if let entry = self.entries.removeValue(forKey: own) {
            self._sameSpellingMatches += 1
            if !self._receiptsAsGiven, self.form == .automatic, own.utf8.contains(where: { (0x61...0x66).contains($0) }) {
                self._receiptsAsGiven = true
            }
            return entry.value
        }
        guard self.form == .automatic, !self._receiptsAsGiven else { return nil }
        for spelling in self.spellings(receiptID).dropFirst() {
            if let entry = self.entries.removeValue(forKey: spelling) {
                self._otherBaseMatches += 1
                return entry.value
            }
        }
        return nil
    }

    @inlinable
    mutating func evictOldest() {
        while self.head < self.order.count {
            let (key, ticket) = self.order[self.head]
            self.head += 1
            if let entry = self.entries[key], entry.ticket == ticket {
                self.entries[key] = nil
                self._evicted += 1
                break
            }
        }
        if self.head > 1024, self.head * 2 > self.order.count {
            self.order.removeFirst(self.head)
            self.head = 0
        }
    }
}
