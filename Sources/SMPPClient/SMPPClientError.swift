public import SMPPCore
public import SMPPSession

/// Why a client operation failed. `description` is safe to show a user.
public struct SMPPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The TCP (or TLS) connection could not be made: host, port, refused, timed out, certificate.
        case connectFailed(String)
        /// The SMSC answered the bind with an error status (ESME_RINVPASWD, ESME_RBINDFAIL…).
        case bindRejected(CommandStatus)
        /// The session failed the request without a response (timeout, closed, window…).
        case session(SessionError)
        /// The SMSC answered with an error status (after any retries the policy allows).
        case rejected(CommandStatus)
        /// No bind was up within the wait (the client keeps trying to reconnect).
        case notBound
        /// The client was shut down.
        case shutDown
        /// The text cannot be sent as asked (alphabet, length).
        case invalidMessage(String)
    }

    public var code: Code

    public init(_ code: Code) { self.code = code }

    public static func session(_ error: SessionError) -> SMPPClientError { SMPPClientError(.session(error)) }

    /// Whether the message may not have reached the SMSC at all, so sending it again is safe.
    public var isRetryable: Bool {
        switch self.code {
        case .notBound, .connectFailed: true
        case .rejected(let status): status == .throttled || status == .messageQueueFull
        case .session(let error): error.code == .windowFull
        default: false
        }
    }

    public var description: String {
        switch self.code {
        case .connectFailed(let reason): "could not connect: \(reason)"
        case .bindRejected(let status): "bind rejected by the SMSC: \(status.name)"
        case .session(let error): error.description
        case .rejected(let status): "rejected by the SMSC: \(status.name)"
        case .notBound: "no SMPP session is bound (the client keeps reconnecting)"
        case .shutDown: "the client is shut down"
        case .invalidMessage(let reason): "invalid message: \(reason)"
        }
    }
}
