public import NIOCore
public import SMPPCore
public import SMPPSession

/// A bind an ESME asked for, for the delegate to check.
public struct BindRequest: Sendable {
    public var type: BindType
    public var bind: Bind
    /// The ESME's address.
    public var peer: SocketAddress?
    /// The connection came in over TLS.
    public var tls: Bool

    public init(type: BindType, bind: Bind, peer: SocketAddress?, tls: Bool) {
        self.type = type
        self.bind = bind
        self.peer = peer
        self.tls = tls
    }
}

/// The delegate's answer to a bind.
public enum BindVerdict: Sendable, Hashable {
    /// Bound: `systemID` goes in the bind_resp, `principal` (an account id, say) stays with the session.
    case accept(systemID: String, principal: String)
    /// Refused with this status (ESME_RINVPASWD, ESME_RINVSYSID, ESME_RBINDFAIL…); the session stays open
    /// for another try until its session-init timer fires.
    case reject(CommandStatus)
}

/// What an SMPP server asks of the application behind it (the gateway, or a test).
///
/// `received` is called on the session's event loop for every request the session rules allow
/// (submit_sm, data_sm, query_sm…; enquire_link and unbind are handled by the session itself).
/// Every request must be answered with `session.respond(_:)`, at once or later from any thread.
public protocol SMPPServerDelegate: Sendable {
    func authenticate(_ request: BindRequest, session: SMPPServerSession) async -> BindVerdict
    func sessionBound(_ session: SMPPServerSession)
    func received(_ request: SMPPPacket, on session: SMPPServerSession)
    func sessionClosed(_ session: SMPPServerSession)
}
