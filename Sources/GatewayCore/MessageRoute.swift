/// Where dispatched messages go instead of the built-in carrier simulator: an upstream carrier
/// connector. It reports each message's fate back through the gateway (`carrierAccepted`,
/// `carrierReported`, `carrierRefused`), which turns it into stored status changes with their
/// receipts, webhooks and refunds.
public protocol MessageRoute: Sendable {
    /// Takes messages to send, in order; never blocks.
    func send(_ messages: [Message])
}

/// A message's id at a carrier, kept so that the carrier's receipt finds the message.
public struct UpstreamID: Sendable, Hashable {
    public var connector: String
    /// The carrier's id, normalised (no leading zeros, lower case).
    public var id: String

    public init(connector: String, id: String) {
        self.connector = connector
        self.id = id
    }
}

/// An upstream connector as the admin API shows it.
public struct ConnectorInfo: Sendable, Hashable {
    public var name: String
    /// "smpp" or "simulator".
    public var kind: String
    /// host:port, and whether over TLS (empty for the simulator).
    public var address: String
    public var tls: Bool
    /// binding, up, throttled or down (the simulator is always up).
    public var state: String
    public var bindsUp: Int
    public var binds: Int
    /// Messages the carrier took, and those of them still waiting for their receipts.
    public var accepted: Int
    public var awaitingReceipts: Int

    public init(
        name: String, kind: String, address: String, tls: Bool, state: String, bindsUp: Int, binds: Int, accepted: Int, awaitingReceipts: Int
    ) {
        self.name = name
        self.kind = kind
        self.address = address
        self.tls = tls
        self.state = state
        self.bindsUp = bindsUp
        self.binds = binds
        self.accepted = accepted
        self.awaitingReceipts = awaitingReceipts
    }
}

/// The connectors and routes of a running gateway, for the admin API: listed, and changed
/// without a restart (connectors added at run time and the route table are kept in the store).
/// Changes are made one at a time: the admin API runs them through its serial queue, as it does
/// every other change.
public protocol ConnectorDirectory: Sendable {
    func connectors() -> [ConnectorInfo]
    /// Adds and starts a connector described by a JSON object (the config file's form).
    func addConnector(json: [UInt8]) async throws(ConnectorChangeError) -> ConnectorInfo
    /// Stops and removes a connector added at run time (not one from the config file, nor one a
    /// route names).
    func removeConnector(name: String) async throws(ConnectorChangeError)
    /// The route table as JSON: `{"routes": [...]}`.
    func routes() -> [UInt8]
    /// Replaces the route table (`{"routes": [...]}`); returns it as stored.
    func setRoutes(json: [UInt8]) async throws(ConnectorChangeError) -> [UInt8]
}

/// Why a connector or route change was refused.
public struct ConnectorChangeError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not a valid connector or route table (the message says what).
        case invalid
        case exists
        case notFound
        /// Defined in the config file: change it there.
        case inConfig
        /// A route names it.
        case inUse
        /// The store could not keep the change.
        case storage
    }

    public var code: Code
    public var message: String
    public var description: String { self.message }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
