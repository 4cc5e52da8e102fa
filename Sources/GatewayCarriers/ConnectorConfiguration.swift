public import Foundation
import GatewayCore
import SMPPClient
import SMPPCore

/// An upstream carrier SMSC (`kind` "smpp"), or the built-in carrier simulator ("simulator")
/// as a connector for development. In the config file's `connectors` list, or from
/// `--upstream smpp://system_id:password@host:port?binds=4&window=100`.
public struct ConnectorConfiguration: Sendable, Codable, Equatable {
    /// How a long message is carried (a message that fits one SMS is always one submit_sm).
    public struct Supports: Sendable, Codable, Equatable {
        /// Parts with a concatenation UDH in short_message (esm_class UDHI): the usual way.
        public var udh: Bool = true
        /// Parts with the sar_* TLVs.
        public var sar: Bool = true
        /// The whole message in one submit_sm's message_payload TLV (one id, one receipt).
        public var messagePayload: Bool = true
        /// Most parts the carrier takes; a longer message fails with error 901.
        public var maximumParts: Int = 10
        public init() {}
    }

    /// Address rewriting on the way to the carrier.
    public struct Rewrite: Sendable, Codable, Equatable {
        public var sourceTON: Int?
        public var sourceNPI: Int?
        public var destinationTON: Int?
        public var destinationNPI: Int?
        /// Taken off the destination's front when it starts with it (e.g. "+").
        public var destinationStripPrefix: String?
        /// Put on the destination's front (after stripping), e.g. "00".
        public var destinationAddPrefix: String?
        public init() {}

        public var isEmpty: Bool { self == Rewrite() }
    }

    public var name: String
    /// "smpp" (an upstream SMSC) or "simulator" (the built-in carrier simulator).
    public var kind: String = "smpp"
    public var host: String = "127.0.0.1"
    public var port: Int = 2775
    public var tls: Bool = false
    /// PEM file of the CA (or self-signed certificate) to trust for the carrier's TLS
    /// certificate; absent: the system's trust store.
    public var tlsCAFile: String?
    /// The name the carrier's certificate must carry (and SNI); absent: `host`.
    public var tlsServerName: String?
    public var systemID: String = ""
    public var password: String = ""
    public var systemType: String = ""
    /// "transceiver" (submits, receipts and MO on each bind), or "transmitter": `binds`
    /// transmitters for submits and `receiverBinds` receivers for receipts and MO.
    public var bindType: String = "transceiver"
    public var binds: Int = 1
    public var receiverBinds: Int = 1
    /// submit_sm outstanding per bind.
    public var window: Int = 100
    /// Messages (submit_sm) per second across the binds; absent: no limit.
    public var messagesPerSecond: Double?
    public var enquireLinkSeconds: Int = 30
    /// A submit_sm not answered in this time is tried again.
    public var responseTimeoutSeconds: Int = 30
    /// Reconnect backoff: the first wait, doubling to the most.
    public var reconnectInitialMilliseconds: Int = 500
    public var reconnectMaximumMilliseconds: Int = 30_000
    /// How the carrier's receipts write the ids its submit_sm_resp gave: "automatic" (as given,
    /// or the same number in the other base — learned from the ids; any case, leading zeros),
    /// "asGiven" (case and leading zeros aside), "exact", "decimal" (the receipts give the
    /// decimal value of a hex submit_sm_resp id) or "hex" (the hex value of a decimal one).
    public var idForm: String = "automatic"
    public var rewrite = Rewrite()
    public var supports = Supports()
    /// India DLT: the telemarketer chain ids this connector's carrier is reached through
    /// (TLV 0x1402 holds their chain hash with the PE id).
    public var telemarketerIDs: [String] = []
    /// When a message sent here with no receipt is given up (`expired`, error 904, with that
    /// receipt or webhook): by default 15 minutes after its validity period ends (48 h unless the
    /// customer gave one) — the carrier stops trying then; with this set, this many hours after it
    /// was sent; 0: never.
    public var receiptTimeoutHours: Int?

    public init(name: String) { self.name = name }

    /// `smpp://system_id:password@host:port?binds=4&window=100&name=…&rate=…` (`smpps://` for TLS).
    public init(url text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["smpp", "smpps"].contains(scheme),
            let host = url.host, !host.isEmpty, let systemID = url.user, !systemID.isEmpty
        else {
            throw ConfigurationError("an upstream is smpp://system_id:password@host:port?binds=4&window=100 (smpps:// for TLS), not \(text)")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let known = ["binds", "window", "name", "rate", "id_form", "ca_file"]
        for key in query.keys where !known.contains(key) {
            throw ConfigurationError("unknown upstream parameter \(key) (\(known.joined(separator: ", ")))")
        }
        self.init(name: query["name"] ?? "upstream")
        self.tls = scheme == "smpps"
        self.host = host
        self.port = url.port ?? (self.tls ? 2776 : 2775)
        self.systemID = url.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? systemID
        self.password = url.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? ""
        guard let binds = Int(query["binds"] ?? "1") else { throw ConfigurationError("upstream binds is a whole number") }
        guard let window = Int(query["window"] ?? "100") else { throw ConfigurationError("upstream window is a whole number") }
        self.binds = binds
        self.window = window
        if let rate = query["rate"] {
            guard let value = Double(rate) else { throw ConfigurationError("upstream rate is messages per second") }
            self.messagesPerSecond = value
        }
        if let form = query["id_form"] { self.idForm = form }
        if let file = query["ca_file"] { self.tlsCAFile = file }
        try self.validate()
    }

    /// Refuses what cannot work, naming the connector and the setting.
    public func validate() throws {
        func fail(_ text: String) -> ConfigurationError { ConfigurationError("connector \(self.name): \(text)") }
        guard !self.name.isEmpty, self.name.utf8.count <= 64 else { throw ConfigurationError("a connector needs a name (1–64 characters)") }
        guard ["smpp", "simulator"].contains(self.kind) else { throw fail("kind is smpp or simulator, not \(self.kind)") }
        guard self.kind == "smpp" else { return }
        guard !self.host.isEmpty else { throw fail("host is required") }
        guard (1...65535).contains(self.port) else { throw fail("port \(self.port) is not a TCP port") }
        if let file = self.tlsCAFile {
            guard self.tls else { throw fail("tlsCAFile is for TLS connectors (\"tls\": true)") }
            guard FileManager.default.isReadableFile(atPath: file) else { throw fail("cannot read tlsCAFile \(file)") }
        }
        guard !self.systemID.isEmpty, self.systemID.utf8.count <= 15 else { throw fail("systemID is 1–15 characters") }
        guard self.password.utf8.count <= 8 else { throw fail("password is at most 8 characters (SMPP v3.4)") }
        guard ["transceiver", "transmitter"].contains(self.bindType) else {
            throw fail("bindType is transceiver, or transmitter (with receiverBinds receivers), not \(self.bindType)")
        }
        guard (1...64).contains(self.receiverBinds) else { throw fail("receiverBinds is 1…64") }
        guard (1...64).contains(self.binds) else { throw fail("binds is 1…64") }
        guard (1...10_000).contains(self.window) else { throw fail("window is 1…10000") }
        if let rate = self.messagesPerSecond, !(rate > 0 && rate <= 1_000_000) { throw fail("messagesPerSecond is more than 0, at most 1000000") }
        guard (0...3_600).contains(self.enquireLinkSeconds) else { throw fail("enquireLinkSeconds is 0 (off)…3600") }
        guard (1...600).contains(self.responseTimeoutSeconds) else { throw fail("responseTimeoutSeconds is 1…600") }
        guard self.reconnectInitialMilliseconds >= 10, self.reconnectMaximumMilliseconds >= self.reconnectInitialMilliseconds,
            self.reconnectMaximumMilliseconds <= 3_600_000
        else {
            throw fail("reconnectInitialMilliseconds is at least 10, reconnectMaximumMilliseconds at least that and at most 3600000")
        }
        _ = try self.messageIDForm()
        guard (1...255).contains(self.supports.maximumParts) else { throw fail("supports.maximumParts is 1…255") }
        if let hours = self.receiptTimeoutHours, !(0...8_760).contains(hours) { throw fail("receiptTimeoutHours is 0 (wait for ever)…8760") }
        for (field, value) in [
            ("sourceTON", self.rewrite.sourceTON), ("sourceNPI", self.rewrite.sourceNPI), ("destinationTON", self.rewrite.destinationTON),
            ("destinationNPI", self.rewrite.destinationNPI),
        ] {
            if let value, !(0...255).contains(value) { throw fail("rewrite.\(field) is 0…255") }
        }
    }

    func messageIDForm() throws -> MessageIDForm {
        switch self.idForm {
        case "automatic": .automatic
        case "asGiven", "normalized", "decimal", "hex": .normalized
        case "exact": .exact
        default:
            throw ConfigurationError("connector \(self.name): idForm is automatic, asGiven, exact, decimal or hex, not \(self.idForm)")
        }
    }

    /// The id as this carrier's receipts will write it, from the submit_sm_resp's.
    func receiptSpelling(of responseID: String) -> String {
        switch self.idForm {
        case "decimal": UInt64(responseID, radix: 16).map { String($0) } ?? responseID
        case "hex": UInt64(responseID).map { String($0, radix: 16) } ?? responseID
        case "exact": responseID
        default: normalizedMessageID(responseID)
        }
    }
}

/// A routing rule: messages matching every criterion given go to `connectors` — the first
/// that is up, in order (failover), or, with `weights`, one chosen by weight among those up.
/// A rule with no criteria matches everything (a default route).
public struct RouteRule: Sendable, Codable, Equatable {
    /// Destination prefixes in international digits ("44", "9198").
    public var destinationPrefixes: [String] = []
    /// A regular expression the destination's digits must match whole.
    public var destinationPattern: String?
    /// The sender (source_addr) exactly.
    public var sender: String?
    /// The account (system_id).
    public var account: String?
    public var connectors: [String] = []
    /// With the connectors in the same order: a weighted set instead of a failover list.
    public var weights: [Int]?

    public init(connectors: [String]) { self.connectors = connectors }
}

extension ConnectorConfiguration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name))
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? self.kind
        self.host = try c.decodeIfPresent(String.self, forKey: .host) ?? self.host
        self.tls = try c.decodeIfPresent(Bool.self, forKey: .tls) ?? self.tls
        self.tlsCAFile = try c.decodeIfPresent(String.self, forKey: .tlsCAFile)
        self.tlsServerName = try c.decodeIfPresent(String.self, forKey: .tlsServerName)
        self.port = try c.decodeIfPresent(Int.self, forKey: .port) ?? (self.tls ? 2776 : 2775)
        self.systemID = try c.decodeIfPresent(String.self, forKey: .systemID) ?? self.systemID
        self.password = try c.decodeIfPresent(String.self, forKey: .password) ?? self.password
        self.systemType = try c.decodeIfPresent(String.self, forKey: .systemType) ?? self.systemType
        self.bindType = try c.decodeIfPresent(String.self, forKey: .bindType) ?? self.bindType
        self.binds = try c.decodeIfPresent(Int.self, forKey: .binds) ?? self.binds
        self.receiverBinds = try c.decodeIfPresent(Int.self, forKey: .receiverBinds) ?? self.receiverBinds
        self.window = try c.decodeIfPresent(Int.self, forKey: .window) ?? self.window
        self.messagesPerSecond = try c.decodeIfPresent(Double.self, forKey: .messagesPerSecond)
        self.enquireLinkSeconds = try c.decodeIfPresent(Int.self, forKey: .enquireLinkSeconds) ?? self.enquireLinkSeconds
        self.responseTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .responseTimeoutSeconds) ?? self.responseTimeoutSeconds
        self.reconnectInitialMilliseconds = try c.decodeIfPresent(Int.self, forKey: .reconnectInitialMilliseconds) ?? self.reconnectInitialMilliseconds
        self.reconnectMaximumMilliseconds = try c.decodeIfPresent(Int.self, forKey: .reconnectMaximumMilliseconds) ?? self.reconnectMaximumMilliseconds
        self.idForm = try c.decodeIfPresent(String.self, forKey: .idForm) ?? self.idForm
        self.rewrite = try c.decodeIfPresent(Rewrite.self, forKey: .rewrite) ?? self.rewrite
        self.supports = try c.decodeIfPresent(Supports.self, forKey: .supports) ?? self.supports
        self.telemarketerIDs = try c.decodeIfPresent([String].self, forKey: .telemarketerIDs) ?? self.telemarketerIDs
        self.receiptTimeoutHours = try c.decodeIfPresent(Int.self, forKey: .receiptTimeoutHours)
    }

    public static let keys: Set<String> = [
        "name", "kind", "host", "port", "tls", "tlsCAFile", "tlsServerName", "systemID", "password", "systemType", "bindType", "binds", "receiverBinds", "window", "messagesPerSecond",
        "enquireLinkSeconds", "responseTimeoutSeconds", "reconnectInitialMilliseconds", "reconnectMaximumMilliseconds", "idForm",
        "rewrite", "supports", "telemarketerIDs", "receiptTimeoutHours",
    ]
}

extension ConnectorConfiguration.Supports {
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.udh = try c.decodeIfPresent(Bool.self, forKey: .udh) ?? self.udh
        self.sar = try c.decodeIfPresent(Bool.self, forKey: .sar) ?? self.sar
        self.messagePayload = try c.decodeIfPresent(Bool.self, forKey: .messagePayload) ?? self.messagePayload
        self.maximumParts = try c.decodeIfPresent(Int.self, forKey: .maximumParts) ?? self.maximumParts
    }
}

extension RouteRule {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(connectors: try c.decode([String].self, forKey: .connectors))
        self.destinationPrefixes = try c.decodeIfPresent([String].self, forKey: .destinationPrefixes) ?? []
        self.destinationPattern = try c.decodeIfPresent(String.self, forKey: .destinationPattern)
        self.sender = try c.decodeIfPresent(String.self, forKey: .sender)
        self.account = try c.decodeIfPresent(String.self, forKey: .account)
        self.weights = try c.decodeIfPresent([Int].self, forKey: .weights)
    }

    public static let keys: Set<String> = ["destinationPrefixes", "destinationPattern", "sender", "account", "connectors", "weights"]
}

extension ConnectorConfiguration {
    /// Refuses unknown keys in a connector object (`path` prefixes the names in the message).
    public static func checkKeys(_ object: [String: Any], path: String, in place: String = "in the config file") throws {
        for key in object.keys where !Self.keys.contains(key) {
            throw ConfigurationError("unknown key \"\(path)\(key)\" \(place)")
        }
        for (section, keys) in [
            ("rewrite", ["sourceTON", "sourceNPI", "destinationTON", "destinationNPI", "destinationStripPrefix", "destinationAddPrefix"]),
            ("supports", ["udh", "sar", "messagePayload", "maximumParts"]),
        ] {
            for key in (object[section] as? [String: Any] ?? [:]).keys where !keys.contains(key) {
                throw ConfigurationError("unknown key \"\(path)\(section).\(key)\" \(place)")
            }
        }
    }

    /// Refuses unknown keys in a connector sent as JSON (the admin API).
    public static func checkKeys(_ data: Data, path: String) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConfigurationError("a connector is a JSON object")
        }
        try Self.checkKeys(object, path: path, in: "in the connector")
    }
}

extension RouteRule {
    /// Refuses unknown keys in a list of route objects.
    public static func checkKeys(_ routes: Any?, in place: String = "in the config file") throws {
        for (index, item) in (routes as? [Any] ?? []).enumerated() {
            for key in (item as? [String: Any] ?? [:]).keys where !Self.keys.contains(key) {
                throw ConfigurationError("unknown key \"routes[\(index)].\(key)\" \(place)")
            }
        }
    }

    /// Refuses a route table that names connectors not in `names`, or has bad criteria.
    public static func check(_ routes: [RouteRule], connectors names: Set<String>) throws {
        for (index, route) in routes.enumerated() {
            func fail(_ text: String) -> ConfigurationError { ConfigurationError("routes[\(index)]: \(text)") }
            guard !route.connectors.isEmpty else { throw fail("names no connectors") }
            for name in route.connectors where !names.contains(name) {
                throw fail("connector \(name) is not defined (connectors: \(names.sorted().joined(separator: ", ")))")
            }
            if let weights = route.weights {
                guard weights.count == route.connectors.count, weights.allSatisfy({ $0 >= 0 }), weights.contains(where: { $0 > 0 }) else {
                    throw fail("weights go with the connectors, one whole number ≥ 0 each, not all 0")
                }
            }
            guard route.destinationPrefixes.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                throw fail("destinationPrefixes are international digits without +")
            }
            if let pattern = route.destinationPattern {
                do { _ = try Regex(pattern) } catch { throw fail("destinationPattern is not a regular expression: \(error)") }
            }
        }
    }
}
