/// Pairs receipts with submits in whichever order they arrive: a receipt may overtake its own
/// submit_sm_resp (SMPP-NOTES: the SMSC writes the receipt on another bind, or the application
/// reads the two streams in separate tasks). Built on `MessageIDCorrelator`, so hex/decimal,
/// leading zeros and case differences are matched too.
public struct ReceiptMatcher<Submit: Sendable, Receipt: Sendable>: Sendable {
    @usableFromInline var _correlator: MessageIDCorrelator<Submit>
    public var correlator: MessageIDCorrelator<Submit> { self._correlator }
    /// Receipts that came before their submit was recorded: every spelling of the id → ticket.
    @usableFromInline var earlyKeys: [String: Int] = [:]
    @usableFromInline var held: [Int: (receipt: Receipt, keys: [String], tick: UInt64)] = [:]
    @usableFromInline var heldOrder: [Int] = []
    @usableFromInline var heldHead = 0
    @usableFromInline var nextTicket = 0
    public let earlyCapacity: Int
    /// Early receipts dropped because `earlyCapacity` was reached (they never matched).
    @usableFromInline var _earlyEvicted = 0
    public var earlyEvicted: Int { self._earlyEvicted }

    @inlinable
    public init(form: MessageIDForm = .automatic, capacity: Int = 1_000_000, earlyCapacity: Int = 100_000) {
        self._correlator = MessageIDCorrelator(form: form, capacity: capacity)
        self.earlyCapacity = earlyCapacity
    }

    /// Receipts held for a submit not yet recorded.
    @inlinable
    public var earlyCount: Int { self.held.count }

    /// A submit_sm_resp gave `messageID`: returns the receipt if it already came, else remembers.
    @inlinable
    public mutating func submitted(_ messageID: String, _ submit: Submit) -> Receipt? {
        if !self.held.isEmpty {
            // The receipt's own spelling, or (an id with hex letters) its decimal value.
            for key in self._correlator.responseSpellings(messageID) {
                if let ticket = self.earlyKeys[key], let entry = self.held.removeValue(forKey: ticket) {
                    for key in entry.keys where self.earlyKeys[key] == ticket { self.earlyKeys[key] = nil }
                    return entry.receipt
                }
            }
        }
        self._correlator.record(messageID, submit)
        return nil
    }

    /// A receipt arrived: returns its submit if recorded, else holds the receipt for `submitted`.
    @inlinable
    public mutating func received(_ messageID: String, _ receipt: Receipt, tick: UInt64 = 0) -> Submit? {
        if let submit = self._correlator.match(messageID) { return submit }
        let ticket = self.nextTicket
        self.nextTicket += 1
        let keys = self._correlator.spellings(messageID)
        for key in keys { self.earlyKeys[key] = ticket }
        self.held[ticket] = (receipt, keys, tick)
        self.heldOrder.append(ticket)
        while self.held.count > self.earlyCapacity, self.heldHead < self.heldOrder.count {
            let oldest = self.heldOrder[self.heldHead]
            self.heldHead += 1
            if let entry = self.held.removeValue(forKey: oldest) {
                for key in entry.keys where self.earlyKeys[key] == oldest { self.earlyKeys[key] = nil }
                self._earlyEvicted += 1
            }
        }
        self.compact()
        return nil
    }

    /// Gives up on receipts held since before `tick` (their submit will not be recorded: it was
    /// sent by another process, or before a restart) and returns them, oldest first.
    @inlinable
    public mutating func releaseHeld(before tick: UInt64) -> [Receipt] {
        var released: [Receipt] = []
        while self.heldHead < self.heldOrder.count {
            let ticket = self.heldOrder[self.heldHead]
            guard let entry = self.held[ticket] else {
                self.heldHead += 1
                continue
            }
            guard entry.tick < tick else { break }
            self.heldHead += 1
            self.held[ticket] = nil
            for key in entry.keys where self.earlyKeys[key] == ticket { self.earlyKeys[key] = nil }
            released.append(entry.receipt)
        }
        self.compact()
        return released
    }

    @inlinable
    mutating func compact() {
        // Matched tickets stay in `heldOrder` until here: compact once they dominate (amortised O(1)).
        if self.heldOrder.count - self.heldHead > 2 * self.held.count + 1024 {
            self.heldOrder = self.heldOrder[self.heldHead...].filter { self.held[$0] != nil }
            self.heldHead = 0
        }
    }
}
