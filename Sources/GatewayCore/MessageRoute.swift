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
