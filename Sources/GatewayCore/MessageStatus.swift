public import SMPPCore

/// A message's status: one vocabulary for SMPP (`message_state`, the receipt's `stat:`) and HTTP
/// (`status`), DESIGN.md rule 5, plus the gateway-only `queued` and `failed`.
public enum MessageStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Stored, not yet sent upstream.
    case queued
    /// Sent upstream (ENROUTE).
    case sent
    case delivered
    case expired
    case deleted
    case undelivered
    case accepted
    case unknown
    case rejected
    /// The gateway gave up, with a reason.
    case failed

    public init?(_ state: MessageState) {
        switch state {
        case .enroute: self = .sent
        case .delivered: self = .delivered
        case .expired: self = .expired
        case .deleted: self = .deleted
        case .undeliverable: self = .undelivered
        case .accepted: self = .accepted
        case .unknown: self = .unknown
        case .rejected: self = .rejected
        default: return nil
        }
    }

    /// The SMPP message_state (query_sm_resp, receipts).
    public var messageState: MessageState {
        switch self {
        case .queued: .enroute
        case .sent: .enroute
        case .delivered: .delivered
        case .expired: .expired
        case .deleted: .deleted
        case .undelivered: .undeliverable
        case .accepted: .accepted
        case .unknown: .unknown
        case .rejected: .rejected
        case .failed: .undeliverable
        }
    }

    /// No further change will come.
    public var isFinal: Bool {
        switch self {
        case .queued, .sent, .accepted, .unknown: false
        case .delivered, .expired, .deleted, .undelivered, .rejected, .failed: true
        }
    }

    /// A success for registered_delivery purposes (receipt "on success" vs "on failure").
    public var isSuccess: Bool { self == .delivered }
}
