/// priority_flag (SMPP v3.4 §5.2.14): 0–3. What each level means depends on the network; for
/// GSM, 0 is non-priority and 1–3 are priority.
public struct Priority: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Level 0: GSM non-priority, ANSI-136 bulk, IS-95 normal.
    public static let level0 = Priority(rawValue: 0)
    /// Level 1: GSM priority, ANSI-136 normal, IS-95 interactive.
    public static let level1 = Priority(rawValue: 1)
    /// Level 2: GSM priority, ANSI-136 urgent, IS-95 urgent.
    public static let level2 = Priority(rawValue: 2)
    /// Level 3: GSM priority, ANSI-136 very urgent, IS-95 emergency.
    public static let level3 = Priority(rawValue: 3)

    /// The values v3.4 defines; anything above is ESME_RINVPRTFLG.
    public static let valid: ClosedRange<UInt8> = 0...3

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "priority=\(self.rawValue)" }
}
