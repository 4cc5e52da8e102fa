import GatewayCore

/// Where the router hands a message: an upstream SMSC or the built-in simulator.
protocol Carrier: AnyObject, Sendable {
    var name: String { get }
    /// Bound (or always there, for the simulator): a failover list skips carriers that are not.
    var isUp: Bool { get }
    func send(_ messages: [Message])
}

/// The built-in carrier simulator as a connector (`"kind": "simulator"`), for development.
final class SimulatorCarrier: Carrier {
    let name: String
    let gateway: Gateway
    init(name: String, gateway: Gateway) {
        self.name = name
        self.gateway = gateway
    }
    var isUp: Bool { true }
    func send(_ messages: [Message]) { self.gateway.simulator.send(messages) }
}
