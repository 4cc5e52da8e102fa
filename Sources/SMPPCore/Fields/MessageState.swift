/// message_state (SMPP v3.4 §5.2.28; TLV 0x0427 and query_sm_resp), with v5.0's 0 and 9.
public struct MessageState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0 (v5.0): scheduled.
    public static let scheduled = MessageState(rawValue: 0)
    public static let enroute = MessageState(rawValue: 1)
    public static let delivered = MessageState(rawValue: 2)
    public static let expired = MessageState(rawValue: 3)
    public static let deleted = MessageState(rawValue: 4)
    public static let undeliverable = MessageState(rawValue: 5)
    public static let accepted = MessageState(rawValue: 6)
    public static let unknown = MessageState(rawValue: 7)
    public static let rejected = MessageState(rawValue: 8)
    /// 9 (v5.0): skipped.
    public static let skipped = MessageState(rawValue: 9)

    /// The spec name, e.g. `DELIVERED`.
    public var name: String {
        switch self.rawValue {
        case 0: "SCHEDULED"
        case 1: "ENROUTE"
        case 2: "DELIVERED"
        case 3: "EXPIRED"
        case 4: "DELETED"
        case 5: "UNDELIVERABLE"
        case 6: "ACCEPTED"
        case 7: "UNKNOWN"
        case 8: "REJECTED"
        case 9: "SKIPPED"
        default: "STATE_\(self.rawValue)"
        }
    }

    /// The 7-letter `stat:` word of a delivery receipt (Appendix B), e.g. `DELIVRD`.
    public var receiptStat: String {
        switch self.rawValue {
        case 1: "ENROUTE"
        case 2: "DELIVRD"
        case 3: "EXPIRED"
        case 4: "DELETED"
        case 5: "UNDELIV"
        case 6: "ACCEPTD"
        case 8: "REJECTD"
        case 0: "SCHEDUL"
        case 9: "SKIPPED"
        default: "UNKNOWN"
        }
    }

    /// The state a receipt's `stat:` word stands for, case-insensitively; the long spec names
    /// (`DELIVERED`, `UNDELIVERABLE`, …) some SMSCs write are accepted too.
    public init?(receiptStat: some StringProtocol) {
        switch receiptStat.uppercased() {
        case "ENROUTE": self = .enroute
        case "DELIVRD", "DELIVERED": self = .delivered
        case "EXPIRED": self = .expired
        case "DELETED": self = .deleted
        case "UNDELIV", "UNDELIVERABLE": self = .undeliverable
        case "ACCEPTD", "ACCEPTED": self = .accepted
        case "UNKNOWN": self = .unknown
        case "REJECTD", "REJECTED": self = .rejected
        case "SCHEDUL", "SCHEDULED": self = .scheduled
        case "SKIPPED": self = .skipped
        default: return nil
        }
    }

    /// Whether the message has reached a state it will not leave.
    public var isFinal: Bool { (2...5).contains(self.rawValue) || self.rawValue == 8 || self.rawValue == 9 }

    public var description: String { self.name }
}

/// network_error_code (TLV 0x0423, §5.3.2.31): a network type and a 2-octet error code.
public struct NetworkErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// 1 ANSI-136, 2 IS-95, 3 GSM, 4–8 reserved.
    public var networkType: UInt8
    public var errorCode: UInt16

    @inlinable
    public init(networkType: UInt8, errorCode: UInt16) {
        self.networkType = networkType
        self.errorCode = errorCode
    }

    public var description: String { "\(self.networkType):\(self.errorCode)" }
}
