import Foundation
public import GatewayCarriers
public import GatewayCore
public import GatewayHTTP
import SMPPCore

/// Everything `shortwave serve` can be told, with the defaults a new user gets (DESIGN.md):
/// listening on 127.0.0.1 only, SMPP on 2775, SMPP over TLS on 2776 with a self-signed certificate made on first run, HTTP on
/// 8080 (the REST API), data in `./shortwave-data/`, the carrier simulator as the
/// only route.
///
/// Sources, later ones winning: these defaults, a JSON file (`--config`), environment variables
/// (`SHORTWAVE_…`, read by `applyEnvironment`), command-line flags.
public struct GatewayConfiguration: Sendable, Codable, Equatable {
    public struct SMPP: Sendable, Codable, Equatable {
        /// Loopback until the operator says otherwise (DESIGN rule 7): the quick start prints
        /// demo credentials and serves the admin API.
        public var host: String = "127.0.0.1"
        public var port: Int = 2775
        /// `nil` or 0 in the file: no TLS listener... use -1 to turn it off explicitly.
        public var tlsPort: Int = 2776
        /// PEM files of the operator's own certificate chain and key; absent: self-signed in the data directory.
        public var tlsCertificate: String?
        public var tlsKey: String?
        /// deliver_sm outstanding per receiver session.
        public var window: Int = 100
        public var enquireLinkSeconds: Int = 30
        public var inactivitySeconds: Int = 300
        public var sessionInitSeconds: Int = 30
        public var responseTimeoutSeconds: Int = 30
        public var maximumPDULength: Int = 65_536
        /// Refuse an unknown system_id with ESME_RINVSYSID, a wrong password with ESME_RINVPASWD
        /// and an address outside the allow-list with ESME_RBINDFAIL, as before; by default all
        /// three get ESME_RINVPASWD (accounts cannot be enumerated by their answers).
        public var distinctBindRefusals: Bool = false

        public init() {}
    }

    public struct HTTP: Sendable, Codable, Equatable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// Most messages in one batch request.
        public var maximumBatch: Int = 10_000
        /// The first retry of a failed webhook waits this long; each next one twice as long (to 1 h).
        public var webhookInitialBackoffMilliseconds: Int = 5_000
        /// Hosts webhooks may be sent to (callback URLs and account URLs are checked against
        /// it); empty: any host.
        public var webhookHosts: [String] = []
        /// Internal ranges webhooks may reach (`127.0.0.1/32`, `10.20.0.0/16`, `fd00::/8`):
        /// loopback, private, link-local and other non-public addresses are refused unless listed.
        public var webhookAllowedNetworks: [String] = []
        /// HTTP connections open at once, in all and from one address; more are closed at once.
        public var maximumConnections: Int = 4_096
        public var maximumConnectionsPerAddress: Int = 256
        /// A connection with no complete request head for this long is closed (slow or silent clients).
        public var idleTimeoutSeconds: Int = 30
        /// A request's head and body must arrive within this long, or the connection is closed.
        public var requestTimeoutSeconds: Int = 30
        /// The admin API (and /metrics) on a listener of its own, `adminHost:adminPort` (0: any
        /// free port), and not on the customers' one; nil: on the customers' listener.
        public var adminPort: Int?
        public var adminHost: String = "127.0.0.1"
        public init() {}

        var connections: ConnectionLimits.Configuration {
            .init(
                maximum: self.maximumConnections, perPeer: self.maximumConnectionsPerAddress, idleTimeout: .seconds(self.idleTimeoutSeconds),
                requestTimeout: .seconds(self.requestTimeoutSeconds))
        }

        /// Where webhooks may go, from the two lists above.
        public func webhookTargets() throws -> WebhookTargets {
            let networks = try self.webhookAllowedNetworks.map { text in
                guard let network = IPNetwork(text) else {
                    throw ConfigurationError(
                        "http.webhookAllowedNetworks: \"\(text)\" is not an address or a range like 10.0.0.0/8 or fd00::/8")
                }
                return network
            }
            return WebhookTargets(hosts: Set(self.webhookHosts), allowedNetworks: networks)
        }
    }

    public struct Storage: Sendable, Codable, Equatable {
        /// fsync every commit (power-loss safe); false: WAL synchronous=NORMAL (process-crash safe).
        public var fullSync: Bool = true
        /// Most items (messages, status changes, acknowledgements) in one group commit.
        public var commitBatch: Int = 8_192
        /// Milliseconds between WAL checkpoints (made beside the commits, never inside one).
        public var checkpointMilliseconds: Int = 200
        public init() {}
    }

    /// India DLT scrubbing.
    public struct DLT: Sendable, Codable, Equatable {
        /// Destination prefixes under DLT (international digits).
        public var prefixes: [String] = ["91"]
        /// command_status of a DLT refusal (0x45 ESME_RSUBMITFAIL).
        public var rejectStatus: Int = 0x45
        /// When promotional and service-explicit messages may go, local time `HH:MM-HH:MM`.
        public var hours: String = "10:00-21:00"
        /// The local time's offset from UTC (IST: 330).
        public var utcOffsetMinutes: Int = 330
        public init() {}

        /// The rules, or what is wrong with the settings.
        public func rules() throws -> DLTRules {
            let parts = self.hours.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0) } }
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && (0...24).contains($0[0]) && (0...59).contains($0[1]) }) else {
                throw ConfigurationError("dlt.hours must look like 10:00-21:00, not \(self.hours)")
            }
            guard (0...0xFFFF_FFFF).contains(self.rejectStatus) else { throw ConfigurationError("dlt.rejectStatus is not a command_status") }
            guard self.prefixes.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                throw ConfigurationError("dlt.prefixes are international digits without + (91 for India)")
            }
            return DLTRules(
                prefixes: self.prefixes, rejectStatus: CommandStatus(rawValue: UInt32(self.rejectStatus)), windowStart: parts[0][0] * 60 + parts[0][1],
                windowEnd: parts[1][0] * 60 + parts[1][1], utcOffsetMinutes: self.utcOffsetMinutes)
        }
    }

    /// What happens to money.
    public struct BillingSettings: Sendable, Codable, Equatable {
        /// command_status of a prepaid submit the balance does not cover (0x45 ESME_RSUBMITFAIL).
        public var insufficientBalanceStatus: Int = 0x45
        /// Final statuses whose messages get their price back (they never reached a carrier).
        public var refundOn: [String] = ["rejected", "failed", "expired", "deleted"]
        public init() {}

        public func refundStatuses() throws -> Set<MessageStatus> {
            Set(try self.refundOn.map { name in
                guard let status = MessageStatus(rawValue: name), status.isFinal else {
                    throw ConfigurationError("billing.refundOn lists final statuses (rejected, failed, expired, deleted, undelivered), not \(name)")
                }
                return status
            })
        }
    }

    public var dataDirectory: String = "shortwave-data"
    public var node: Int?
    public var logLevel: String = "info"
    public var smpp = SMPP()
    public var http = HTTP()
    public var storage = Storage()
    public var dlt = DLT()
    public var billing = BillingSettings()
    public var simulator = CarrierSimulator.Configuration.standard
    /// Hours a receipt or MO waits for a receiver.
    public var deliveryExpiryHours: Int = 72
    /// The admin API's token. Unset: one is made on first run, printed once and kept as a hash.
    public var adminToken: String?
    /// An upstream carrier, `smpp://system_id:password@host:port?binds=4&window=100`: the route
    /// of every message instead of the simulator.
    public var upstream: String?
    /// Upstream carriers (and simulators) by name.
    public var connectors: [Connector] = []
    /// Routing rules, first match wins; with none, every message goes to the connectors in
    /// order (the first one up).
    public var routes: [Route] = []
    /// Event-loop threads. Unset: the CPUs this process may use (`CPUBudget`: its affinity mask
    /// and its cgroup's CPU quota), not the machine's core count.
    public var threads: Int?

    public init() {}

    /// The connectors, `upstream` included (named "upstream" unless its URL says otherwise).
    public func allConnectors() throws -> [Connector] {
        var all = self.connectors
        if let upstream = self.upstream { all.append(try Connector(url: upstream)) }
        return all
    }

    /// The routing rules: the configured ones; then `upstream`, if given, as the default route;
    /// with no rules at all, every connector in order as one failover list.
    public func allRoutes() throws -> [Route] {
        var routes = self.routes
        if let upstream = self.upstream {
            routes.append(Route(connectors: [try Connector(url: upstream).name]))
        } else if routes.isEmpty, !self.connectors.isEmpty {
            routes.append(Route(connectors: self.connectors.map(\.name)))
        }
        return routes
    }

    /// Keys the file may hold are the property names above; unknown keys are an error (a typo
    /// should not be silently ignored).
    public static func load(file path: String) throws -> GatewayConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read config file \(path)")
        }
        do {
            // Strict JSON first: a duplicate key or a trailing comma is a mistake to point at,
            // not something to guess about.
            if let fault = StrictJSON.fault(in: Array(data)) {
                throw ConfigurationError("\(path):\(fault.line):\(fault.column): not valid JSON: \(fault.reason)")
            }
            try Self.checkKeys(data)
            return try JSONDecoder().decode(GatewayConfiguration.self, from: data)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as DecodingError {
            throw ConfigurationError("\(path): \(ConfigurationError.describe(error))")
        } catch {
            throw ConfigurationError("\(path): \(error)")
        }
    }

    /// Applies `SHORTWAVE_…` variables.
    public mutating func applyEnvironment(_ environment: [String: String]) throws {
        func int(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text) else { throw ConfigurationError("\(name)=\(text): expected a whole number") }
            return value
        }
        if let value = environment["SHORTWAVE_DATA_DIR"] { self.dataDirectory = value }
        if let value = try int("SHORTWAVE_NODE_ID") { self.node = value }
        if let value = try int("SHORTWAVE_THREADS") { self.threads = value }
        if let value = environment["SHORTWAVE_ADMIN_TOKEN"], !value.isEmpty { self.adminToken = value }
        if let value = environment["SHORTWAVE_UPSTREAM"], !value.isEmpty { self.upstream = value }
        if let value = environment["SHORTWAVE_LOG_LEVEL"] { self.logLevel = value }
        if let value = environment["SHORTWAVE_SMPP_HOST"] { self.smpp.host = value }
        if let value = try int("SHORTWAVE_SMPP_PORT") { self.smpp.port = value }
        if let value = try int("SHORTWAVE_SMPP_TLS_PORT") { self.smpp.tlsPort = value }
        if let value = environment["SHORTWAVE_SMPP_TLS_CERTIFICATE"] { self.smpp.tlsCertificate = value }
        if let value = environment["SHORTWAVE_SMPP_TLS_KEY"] { self.smpp.tlsKey = value }
        if let value = try int("SHORTWAVE_SMPP_WINDOW") { self.smpp.window = value }
        if let value = environment["SHORTWAVE_HTTP_HOST"] { self.http.host = value }
        if let value = try int("SHORTWAVE_HTTP_PORT") { self.http.port = value }
        if let value = environment["SHORTWAVE_FULL_SYNC"] {
            switch value.lowercased() {
            case "1", "true", "yes": self.storage.fullSync = true
            case "0", "false", "no": self.storage.fullSync = false
            default: throw ConfigurationError("SHORTWAVE_FULL_SYNC=\(value): expected true or false")
            }
        }
        if let value = try int("SHORTWAVE_COMMIT_BATCH") { self.storage.commitBatch = value }
        if let value = try int("SHORTWAVE_CHECKPOINT_MS") { self.storage.checkpointMilliseconds = value }
        if let value = try int("SHORTWAVE_SIMULATOR_DELAY_MS") { self.simulator.delayMilliseconds = value }
    }

    /// Refuses what cannot work, saying what to fix.
    public func validate() throws {
        for (name, port) in [("smpp.port", self.smpp.port), ("http.port", self.http.port), ("http.adminPort", self.http.adminPort ?? 0)]
        where !(0...65535).contains(port) {
            throw ConfigurationError("\(name) \(port) is not a TCP port (0–65535)")
        }
        guard (-1...65535).contains(self.smpp.tlsPort) else {
            throw ConfigurationError("smpp.tlsPort \(self.smpp.tlsPort) is not a TCP port (0–65535, or -1 for no TLS listener)")
        }
        if let node = self.node, !(0...1023).contains(node) { throw ConfigurationError("node \(node) must be 0…1023") }
        if let threads = self.threads, !(1...1024).contains(threads) {
            throw ConfigurationError("threads \(threads) must be 1…1024 (or leave it out: the CPUs this process may use)")
        }
        guard (1...10_000).contains(self.smpp.window) else { throw ConfigurationError("smpp.window must be 1…10000") }
        _ = try self.http.webhookTargets()
        for (name, value) in [
            ("http.maximumConnections", self.http.maximumConnections), ("http.maximumConnectionsPerAddress", self.http.maximumConnectionsPerAddress),
            ("http.idleTimeoutSeconds", self.http.idleTimeoutSeconds), ("http.requestTimeoutSeconds", self.http.requestTimeoutSeconds),
        ] where value < 1 {
            throw ConfigurationError("\(name) must be at least 1")
        }
        guard (1...100_000).contains(self.http.maximumBatch) else { throw ConfigurationError("http.maximumBatch must be 1…100000") }
        _ = try self.dlt.rules()
        _ = try self.billing.refundStatuses()
        try self.validateRouting()
        guard (1...0xFFFF_FFFF).contains(self.billing.insufficientBalanceStatus) else {
            throw ConfigurationError("billing.insufficientBalanceStatus is not an error command_status")
        }
        if let token = self.adminToken, token.utf8.count < 16 {
            throw ConfigurationError("adminToken must be at least 16 characters (or leave it out: one is made on first run)")
        }
        guard self.http.webhookInitialBackoffMilliseconds >= 1 else {
            throw ConfigurationError("http.webhookInitialBackoffMilliseconds must be at least 1")
        }
        guard (1...1_000_000).contains(self.storage.commitBatch) else { throw ConfigurationError("storage.commitBatch must be 1…1000000") }
        guard (10...60_000).contains(self.storage.checkpointMilliseconds) else {
            throw ConfigurationError("storage.checkpointMilliseconds must be 10…60000")
        }
        guard (self.smpp.tlsCertificate == nil) == (self.smpp.tlsKey == nil) else {
            throw ConfigurationError("smpp.tlsCertificate and smpp.tlsKey go together: give both or neither")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(self.logLevel) else {
            throw ConfigurationError("logLevel \(self.logLevel): use trace, debug, info, notice, warning, error or critical")
        }
        let total = self.simulator.shares.reduce(0) { $0 + $1.percent }
        guard total <= 100 else { throw ConfigurationError("simulator.shares add up to \(total) %, more than 100") }
    }

    func validateRouting() throws {
        let connectors = try self.allConnectors()
        var names = Set<String>()
        for connector in connectors {
            try connector.validate()
            guard names.insert(connector.name).inserted else { throw ConfigurationError("two connectors are named \(connector.name)") }
        }
        try RouteRule.check(try self.allRoutes(), connectors: names)
    }

    static func checkKeys(_ data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return }
        guard let root = object as? [String: Any] else { throw ConfigurationError("the config file must hold a JSON object") }
        let known: [String: Set<String>] = [
            "": ["dataDirectory", "node", "logLevel", "smpp", "http", "storage", "simulator", "deliveryExpiryHours", "adminToken", "dlt", "billing", "upstream",
                "connectors", "routes", "threads"],
            "billing": ["insufficientBalanceStatus", "refundOn"],
            "dlt": ["prefixes", "rejectStatus", "hours", "utcOffsetMinutes"],
            "smpp": [
                "host", "port", "tlsPort", "tlsCertificate", "tlsKey", "window", "enquireLinkSeconds", "inactivitySeconds",
                "sessionInitSeconds", "responseTimeoutSeconds", "maximumPDULength", "distinctBindRefusals",
            ],
            "http": ["host", "port", "maximumBatch", "webhookInitialBackoffMilliseconds", "webhookHosts", "webhookAllowedNetworks", "maximumConnections", "maximumConnectionsPerAddress", "idleTimeoutSeconds", "requestTimeoutSeconds", "adminPort", "adminHost"], "storage": ["fullSync", "commitBatch", "checkpointMilliseconds"], "simulator": ["delayMilliseconds", "rules", "shares", "replies"],
        ]
        for key in root.keys where !known[""]!.contains(key) { throw ConfigurationError("unknown key \"\(key)\" in the config file") }
        for (index, item) in (root["connectors"] as? [Any] ?? []).enumerated() {
            guard let object = item as? [String: Any] else { continue }
            try ConnectorConfiguration.checkKeys(object, path: "connectors[\(index)].")
        }
        try RouteRule.checkKeys(root["routes"])
        for (section, keys) in known where !section.isEmpty {
            guard let object = root[section] as? [String: Any] else { continue }
            for key in object.keys where !keys.contains(key) {
                throw ConfigurationError("unknown key \"\(section).\(key)\" in the config file")
            }
        }
    }
}

extension GatewayConfiguration {
    /// Decodes with every key optional: what the file leaves out keeps its default.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.dataDirectory = try container.decodeIfPresent(String.self, forKey: .dataDirectory) ?? self.dataDirectory
        self.node = try container.decodeIfPresent(Int.self, forKey: .node) ?? self.node
        self.logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? self.logLevel
        self.smpp = try container.decodeIfPresent(SMPP.self, forKey: .smpp) ?? self.smpp
        self.http = try container.decodeIfPresent(HTTP.self, forKey: .http) ?? self.http
        self.storage = try container.decodeIfPresent(Storage.self, forKey: .storage) ?? self.storage
        self.simulator = try container.decodeIfPresent(CarrierSimulator.Configuration.self, forKey: .simulator) ?? self.simulator
        self.deliveryExpiryHours = try container.decodeIfPresent(Int.self, forKey: .deliveryExpiryHours) ?? self.deliveryExpiryHours
        self.adminToken = try container.decodeIfPresent(String.self, forKey: .adminToken) ?? self.adminToken
        self.dlt = try container.decodeIfPresent(DLT.self, forKey: .dlt) ?? self.dlt
        self.billing = try container.decodeIfPresent(BillingSettings.self, forKey: .billing) ?? self.billing
        self.upstream = try container.decodeIfPresent(String.self, forKey: .upstream) ?? self.upstream
        self.connectors = try container.decodeIfPresent([Connector].self, forKey: .connectors) ?? self.connectors
        self.routes = try container.decodeIfPresent([Route].self, forKey: .routes) ?? self.routes
        self.threads = try container.decodeIfPresent(Int.self, forKey: .threads) ?? self.threads
    }
}

extension GatewayConfiguration.BillingSettings {
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.insufficientBalanceStatus = try c.decodeIfPresent(Int.self, forKey: .insufficientBalanceStatus) ?? self.insufficientBalanceStatus
        self.refundOn = try c.decodeIfPresent([String].self, forKey: .refundOn) ?? self.refundOn
    }
}

extension GatewayConfiguration.DLT {
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.prefixes = try c.decodeIfPresent([String].self, forKey: .prefixes) ?? self.prefixes
        self.rejectStatus = try c.decodeIfPresent(Int.self, forKey: .rejectStatus) ?? self.rejectStatus
        self.hours = try c.decodeIfPresent(String.self, forKey: .hours) ?? self.hours
        self.utcOffsetMinutes = try c.decodeIfPresent(Int.self, forKey: .utcOffsetMinutes) ?? self.utcOffsetMinutes
    }
}

extension GatewayConfiguration.SMPP {
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.host = try c.decodeIfPresent(String.self, forKey: .host) ?? self.host
        self.port = try c.decodeIfPresent(Int.self, forKey: .port) ?? self.port
        self.tlsPort = try c.decodeIfPresent(Int.self, forKey: .tlsPort) ?? self.tlsPort
        self.tlsCertificate = try c.decodeIfPresent(String.self, forKey: .tlsCertificate)
        self.tlsKey = try c.decodeIfPresent(String.self, forKey: .tlsKey)
        self.window = try c.decodeIfPresent(Int.self, forKey: .window) ?? self.window
        self.enquireLinkSeconds = try c.decodeIfPresent(Int.self, forKey: .enquireLinkSeconds) ?? self.enquireLinkSeconds
        self.inactivitySeconds = try c.decodeIfPresent(Int.self, forKey: .inactivitySeconds) ?? self.inactivitySeconds
        self.sessionInitSeconds = try c.decodeIfPresent(Int.self, forKey: .sessionInitSeconds) ?? self.sessionInitSeconds
        self.responseTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .responseTimeoutSeconds) ?? self.responseTimeoutSeconds
        self.maximumPDULength = try c.decodeIfPresent(Int.self, forKey: .maximumPDULength) ?? self.maximumPDULength
        self.distinctBindRefusals = try c.decodeIfPresent(Bool.self, forKey: .distinctBindRefusals) ?? self.distinctBindRefusals
    }
}

extension GatewayConfiguration.HTTP {
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.host = try c.decodeIfPresent(String.self, forKey: .host) ?? self.host
        self.port = try c.decodeIfPresent(Int.self, forKey: .port) ?? self.port
        self.maximumBatch = try c.decodeIfPresent(Int.self, forKey: .maximumBatch) ?? self.maximumBatch
        self.webhookInitialBackoffMilliseconds =
            try c.decodeIfPresent(Int.self, forKey: .webhookInitialBackoffMilliseconds) ?? self.webhookInitialBackoffMilliseconds
        self.webhookHosts = try c.decodeIfPresent([String].self, forKey: .webhookHosts) ?? self.webhookHosts
        self.webhookAllowedNetworks = try c.decodeIfPresent([String].self, forKey: .webhookAllowedNetworks) ?? self.webhookAllowedNetworks
        self.maximumConnections = try c.decodeIfPresent(Int.self, forKey: .maximumConnections) ?? self.maximumConnections
        self.maximumConnectionsPerAddress =
            try c.decodeIfPresent(Int.self, forKey: .maximumConnectionsPerAddress) ?? self.maximumConnectionsPerAddress
        self.idleTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .idleTimeoutSeconds) ?? self.idleTimeoutSeconds
        self.requestTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .requestTimeoutSeconds) ?? self.requestTimeoutSeconds
        self.adminPort = try c.decodeIfPresent(Int.self, forKey: .adminPort)
        self.adminHost = try c.decodeIfPresent(String.self, forKey: .adminHost) ?? self.adminHost
    }
}

extension GatewayConfiguration.Storage {
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.fullSync = try c.decodeIfPresent(Bool.self, forKey: .fullSync) ?? self.fullSync
        self.commitBatch = try c.decodeIfPresent(Int.self, forKey: .commitBatch) ?? self.commitBatch
        self.checkpointMilliseconds = try c.decodeIfPresent(Int.self, forKey: .checkpointMilliseconds) ?? self.checkpointMilliseconds
    }
}

extension GatewayConfiguration {
    /// The carrier side's settings (GatewayCarriers), by their names in the config file.
    public typealias Connector = ConnectorConfiguration
    public typealias Route = RouteRule
}
