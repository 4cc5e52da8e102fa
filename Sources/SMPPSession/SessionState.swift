public import SMPPCore

/// Which side of an SMPP session this is.
public enum SessionRole: Hashable, Sendable {
    /// The client: binds, submits, receives deliver_sm.
    case esme
    /// The server: accepts binds, delivers.
    case smsc
}

/// The three kinds of bind (SMPP v3.4 §2.2).
public enum BindType: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case transmitter
    case receiver
    case transceiver

    /// The bind request's command_id.
    public var commandID: CommandID {
        switch self {
        case .transmitter: .bindTransmitter
        case .receiver: .bindReceiver
        case .transceiver: .bindTransceiver
        }
    }

    /// The bind type a bind request or response command_id stands for.
    public init?(_ id: CommandID) {
        switch id {
        case .bindTransmitter, .bindTransmitterResp: self = .transmitter
        case .bindReceiver, .bindReceiverResp: self = .receiver
        case .bindTransceiver, .bindTransceiverResp: self = .transceiver
        default: return nil
        }
    }

    /// The PDU that asks for this bind.
    public func request(_ bind: Bind) -> PDU {
        switch self {
        case .transmitter: .bindTransmitter(bind)
        case .receiver: .bindReceiver(bind)
        case .transceiver: .bindTransceiver(bind)
        }
    }

    /// The PDU that answers this bind.
    public func response(_ body: BindResp) -> PDU {
        switch self {
        case .transmitter: .bindTransmitterResp(body)
        case .receiver: .bindReceiverResp(body)
        case .transceiver: .bindTransceiverResp(body)
        }
    }

    /// Whether a session of this type may send messages towards the SMSC (submit_sm and friends).
    public var canTransmit: Bool { self != .receiver }
    /// Whether a session of this type receives deliver_sm.
    public var canReceive: Bool { self != .transmitter }

    public var description: String {
        switch self {
        case .transmitter: "TX"
        case .receiver: "RX"
        case .transceiver: "TRX"
        }
    }
}

/// The state of an SMPP session (SMPP v3.4 §2.2), the same for both roles.
///
/// ```
///            connect                bind / bind_resp OK
///   ──────────────────► OPEN ─────────────────────────────► BOUND_TX | BOUND_RX | BOUND_TRX
///                        │  ▲ bind_resp error                        │
///                        │  └─(stays OPEN; the ESME may bind again)  │ unbind / unbind_resp
///                        │                                           ▼
///                        └──────────── timeout / close ─────────► UNBOUND ──► CLOSED
/// ```
/// UNBOUND is the time between an unbind and the closing of the socket, in which only the
/// unbind_resp and responses to requests still in the window may pass.
public enum SessionState: Hashable, Sendable, CustomStringConvertible {
    case open
    case bound(BindType)
    case unbound
    case closed

    public var description: String {
        switch self {
        case .open: "OPEN"
        case .bound(let type): "BOUND_\(type)"
        case .unbound: "UNBOUND"
        case .closed: "CLOSED"
        }
    }
}
