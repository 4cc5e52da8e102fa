import Foundation
public import GatewayCore
public import Logging
public import ServiceLifecycle
import Synchronization

/// The gateway's connectors and routes, as one Service: those of the config file (and
/// `--upstream`), plus connectors added at run time through the admin API, and the route table —
/// the config file's until the admin API replaces it. Run-time connectors and a replaced route
/// table are kept in the store (settings `runtime_connectors`, `runtime_routes`) and come back
/// after a restart.
public final class ConnectorSet: Service, ConnectorDirectory {
    struct State: Sendable {
        var configurations: [ConnectorConfiguration]
        /// Names defined in the config file (not removable at run time).
        var fromConfig: Set<String>
        var carriers: [String: any Carrier]
        var routes: [RouteRule]
    }

    static let connectorsKey = "runtime_connectors"
    static let routesKey = "runtime_routes"

    let gateway: Gateway
    let logger: Logger
    let router: CarrierRouter
    let state: Mutex<State>
    /// Connectors to start (added at run time); finishes on graceful shutdown.
    let starts = AsyncStream<UpstreamConnector>.makeStream()

    /// Builds the connectors and the router. With no route (no connectors, and no route table
    /// stored) the built-in simulator stays the route until one is set.
    /// `connectors` and `routes` are the config file's (`--upstream` included).
    public static func make(
        connectors fromConfig: [ConnectorConfiguration], routes configured: [RouteRule], gateway: Gateway, logger: Logger
    ) async throws -> ConnectorSet {
        var all = fromConfig
        if let stored = try await gateway.store.setting(Self.connectorsKey) {
            let runtime = try JSONDecoder().decode([ConnectorConfiguration].self, from: Data(stored.utf8))
            all += runtime.filter { connector in !fromConfig.contains { $0.name == connector.name } }
        }
        var routes = configured
        if let stored = try await gateway.store.setting(Self.routesKey) {
            routes = try JSONDecoder().decode([RouteRule].self, from: Data(stored.utf8))
        }
        if routes.isEmpty, !all.isEmpty { routes = [RouteRule(connectors: all.map(\.name))] }
        var carriers: [String: any Carrier] = [:]
        for connector in all { carriers[connector.name] = try Self.carrier(connector, gateway: gateway, logger: logger) }
        try RouteRule.check(routes, connectors: Set(carriers.keys))
        let router = try CarrierRouter(routes: routes, carriers: carriers, gateway: gateway, logger: logger)
        let set = ConnectorSet(
            gateway: gateway, logger: logger, router: router,
            state: State(configurations: all, fromConfig: Set(fromConfig.map(\.name)), carriers: carriers, routes: routes))
        for carrier in carriers.values { (carrier as? UpstreamConnector)?.router.withLock { $0 = router } }
        if !routes.isEmpty { gateway.setRoute(router) }
        return set
    }

    /// Whether messages go to connectors (else the simulator is the only route).
    public var isRouting: Bool { self.state.withLock { !$0.routes.isEmpty } }

    private init(gateway: Gateway, logger: Logger, router: CarrierRouter, state: State) {
        self.gateway = gateway
        self.logger = logger
        self.router = router
        self.state = Mutex(state)
    }

    static func carrier(_ connector: ConnectorConfiguration, gateway: Gateway, logger: Logger) throws -> any Carrier {
        if connector.kind == "simulator" { return SimulatorCarrier(name: connector.name, gateway: gateway) }
        logger.info("upstream carrier", metadata: ["connector": "\(connector.name)", "host": "\(connector.host):\(connector.port)", "binds": "\(connector.binds)"])
        return try UpstreamConnector(connector, gateway: gateway, logger: logger)
    }

    var upstreamConnectors: [UpstreamConnector] {
        self.state.withLock { state in state.configurations.compactMap { state.carriers[$0.name] as? UpstreamConnector } }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for connector in self.upstreamConnectors { group.addTask { try? await connector.run() } }
            group.addTask {
                try? await gracefulShutdown()
                self.starts.continuation.finish()
            }
            for await connector in self.starts.stream { group.addTask { try? await connector.run() } }
        }
    }

    // MARK: ConnectorDirectory

    /// Each upstream connector's state by name: binding, up, throttled or down.
    public var states: [String: String] {
        Dictionary(uniqueKeysWithValues: self.upstreamConnectors.map { ($0.name, $0.state.withLock { $0 }.rawValue) })
    }

    public func connectors() -> [ConnectorInfo] {
        self.state.withLock { state in
            state.configurations.map { configuration in
                (state.carriers[configuration.name] as? UpstreamConnector)?.info
                    ?? ConnectorInfo(
                        name: configuration.name, kind: configuration.kind, address: "", tls: false, state: "up", bindsUp: 0, binds: 0,
                        accepted: 0, awaitingReceipts: 0)
            }
        }
    }

    public func addConnector(json: [UInt8]) async throws(ConnectorChangeError) -> ConnectorInfo {
        let connector: ConnectorConfiguration
        do {
            try ConnectorConfiguration.checkKeys(Data(json), path: "")
            connector = try JSONDecoder().decode(ConnectorConfiguration.self, from: Data(json))
            try connector.validate()
        } catch let error as ConfigurationError {
            throw ConnectorChangeError(.invalid, error.description)
        } catch let error as DecodingError {
            throw ConnectorChangeError(.invalid, ConfigurationError.describe(error))
        } catch {
            throw ConnectorChangeError(.invalid, "\(error)")
        }
        guard self.state.withLock({ $0.carriers[connector.name] == nil }) else {
            throw ConnectorChangeError(.exists, "a connector is already named \(connector.name)")
        }
        let carrier: any Carrier
        do {
            carrier = try Self.carrier(connector, gateway: self.gateway, logger: self.logger)
        } catch {
            throw ConnectorChangeError(.invalid, "\(error)")
        }
        let runtime = self.state.withLock { state in
            state.configurations.append(connector)
            state.carriers[connector.name] = carrier
            return state.configurations.filter { !state.fromConfig.contains($0.name) }
        }
        try await self.save(Self.connectorsKey, runtime)
        if let upstream = carrier as? UpstreamConnector {
            upstream.router.withLock { $0 = self.router }
            self.starts.continuation.yield(upstream)
        }
        self.logger.notice("connector added", metadata: ["connector": "\(connector.name)"])
        return self.connectors().first { $0.name == connector.name }!
    }

    public func removeConnector(name: String) async throws(ConnectorChangeError) {
        let (carrier, runtime): ((any Carrier)?, [ConnectorConfiguration]) = try self.state.withLock {
            state throws(ConnectorChangeError) in
            guard let carrier = state.carriers[name] else { throw ConnectorChangeError(.notFound, "no connector \(name)") }
            guard !state.fromConfig.contains(name) else {
                throw ConnectorChangeError(.inConfig, "connector \(name) is defined in the config file: remove it there")
            }
            if let index = state.routes.firstIndex(where: { $0.connectors.contains(name) }) {
                throw ConnectorChangeError(.inUse, "routes[\(index)] names connector \(name): change the routes first")
            }
            state.carriers[name] = nil
            state.configurations.removeAll { $0.name == name }
            return (carrier, state.configurations.filter { !state.fromConfig.contains($0.name) })
        }
        try await self.save(Self.connectorsKey, runtime)
        (carrier as? UpstreamConnector)?.stop()
        self.logger.notice("connector removed", metadata: ["connector": "\(name)"])
    }

    public func routes() -> [UInt8] {
        let routes = self.state.withLock { $0.routes }
        return Array((try? Self.encoder.encode(["routes": routes])) ?? Data("{\"routes\":[]}".utf8))
    }

    public func setRoutes(json: [UInt8]) async throws(ConnectorChangeError) -> [UInt8] {
        let routes: [RouteRule]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any], Set(object.keys) == ["routes"] else {
                throw ConfigurationError("the body is {\"routes\": [...]}")
            }
            try RouteRule.checkKeys(object["routes"], in: "in the route table")
            routes = try JSONDecoder().decode([String: [RouteRule]].self, from: Data(json))["routes"] ?? []
            guard !routes.isEmpty else { throw ConfigurationError("routes must name at least one route") }
        } catch let error as ConfigurationError {
            throw ConnectorChangeError(.invalid, error.description)
        } catch let error as DecodingError {
            throw ConnectorChangeError(.invalid, ConfigurationError.describe(error))
        } catch {
            throw ConnectorChangeError(.invalid, "not a JSON object: \(error)")
        }
        let carriers = self.state.withLock { $0.carriers }
        do {
            try RouteRule.check(routes, connectors: Set(carriers.keys))
        } catch {
            throw ConnectorChangeError(.invalid, "\(error)")
        }
        try await self.save(Self.routesKey, routes)
        do {
            try self.router.replace(routes: routes, carriers: carriers)
        } catch {
            throw ConnectorChangeError(.invalid, "\(error)")
        }
        self.state.withLock { $0.routes = routes }
        self.gateway.setRoute(self.router)
        self.logger.notice("routes replaced", metadata: ["routes": "\(routes.count)"])
        return self.routes()
    }

    // MARK: helpers

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    func save(_ key: String, _ value: some Encodable) async throws(ConnectorChangeError) {
        do {
            let text = String(decoding: try Self.encoder.encode(value), as: UTF8.self)
            try await self.gateway.store.save(setting: key, value: text)
        } catch {
            throw ConnectorChangeError(.storage, "the change could not be stored: \(error)")
        }
    }
}
