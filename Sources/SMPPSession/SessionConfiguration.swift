/// How a session behaves. Defaults follow common SMSC practice (Jasmin: 30/30/300 s).
public struct SessionConfiguration: Sendable {
    public var role: SessionRole
    /// Requests this side may have outstanding at once.
    public var windowSize: Int
    /// How long a request may wait for its response.
    public var responseTimeout: Duration
    /// ESME: how long a bind may wait for its bind_resp.
    public var bindTimeout: Duration
    /// SMSC: how long a connection may stay OPEN without a successful bind.
    public var sessionInitTimeout: Duration
    /// Send enquire_link after this long without inbound traffic; `nil` never.
    public var enquireLinkInterval: Duration?
    /// Unbind after this long without inbound traffic; `nil` never.
    public var inactivityTimeout: Duration?
    /// Answer the peer's deliver_sm and data_sm with ESME_ROK in the session itself, before the
    /// application sees them (an ESME that takes every receipt and MO). Off: the application answers.
    public var acknowledgesDeliveries: Bool

    public init(
        role: SessionRole, windowSize: Int = 100, responseTimeout: Duration = .seconds(30),
        bindTimeout: Duration = .seconds(30), sessionInitTimeout: Duration = .seconds(30),
        enquireLinkInterval: Duration? = .seconds(30), inactivityTimeout: Duration? = .seconds(300),
        acknowledgesDeliveries: Bool = false
    ) {
        self.acknowledgesDeliveries = acknowledgesDeliveries
        self.role = role
        self.windowSize = windowSize
        self.responseTimeout = responseTimeout
        self.bindTimeout = bindTimeout
        self.sessionInitTimeout = sessionInitTimeout
        self.enquireLinkInterval = enquireLinkInterval
        self.inactivityTimeout = inactivityTimeout
    }
}

/// The timers a session runs; the owner keeps at most one of each scheduled.
public enum SessionTimer: Hashable, Sendable {
    /// The earliest response deadline in the window.
    case response
    case enquireLink
    case inactivity
    case sessionInit
}

/// Why a request of this side failed without a response from the peer.
public struct SessionError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// No response within the timeout.
        case timeout
        /// The window is full; the caller waits for a slot and tries again.
        case windowFull
        /// The PDU may not be sent in this state (e.g. submit_sm on a receiver, or before bind).
        case notAllowed(SessionState)
        /// The session is closing or closed.
        case closed
        /// The peer answered with a response of another command for this sequence number.
        case mismatchedResponse(CommandIDName)
        /// The peer's response could not be decoded.
        case malformedResponse(CommandStatusName)
        /// The request breaks an SMPP field limit and was not sent (field name, status).
        case invalidRequest(String, CommandStatusName)
    }

    /// Names rather than SMPPCore types so that the code stays a plain, printable value.
    public typealias CommandIDName = String
    public typealias CommandStatusName = String

    public var code: Code

    public init(_ code: Code) { self.code = code }

    public var description: String {
        switch self.code {
        case .timeout: "no response within the timeout"
        case .windowFull: "window full"
        case .notAllowed(let state): "not allowed in state \(state)"
        case .closed: "session closed"
        case .mismatchedResponse(let id): "peer answered with \(id) for this sequence number"
        case .malformedResponse(let status): "peer's response was malformed (\(status))"
        case .invalidRequest(let field, let status): "not sent: \(field) is invalid (\(status))"
        }
    }
}
