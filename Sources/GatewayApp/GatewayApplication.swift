import Foundation
import GatewayCarriers
public import GatewayCore
public import GatewaySMPP
import GatewayStorageSQLite
import SMPPCore
public import GatewayHTTP
import Synchronization
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import SMPPServer
import SMPPSession
public import ServiceLifecycle
import UnixSignals

/// `shortwave serve`: configuration → store → gateway → SMPP listeners, as one `ServiceGroup`
/// that shuts down gracefully on SIGTERM/SIGINT (the SMPP server unbinds its sessions and drains
/// their windows first, then the gateway finishes its commits).
public struct GatewayApplication: Sendable {
    public let configuration: GatewayConfiguration
    public let logger: Logger
    /// The metrics in Prometheus' text format (`shortwave serve` bootstraps swift-metrics with a
    /// Prometheus registry and passes its emitter); served at `/metrics` behind the admin token.
    public let metrics: (@Sendable () -> [UInt8])?
    /// The domain's one clock (DESIGN.md rule 9): the system's, or a manual one in tests.
    public let clock: any GatewayClock

    public init(
        configuration: GatewayConfiguration, logger: Logger, metrics: (@Sendable () -> [UInt8])? = nil, clock: any GatewayClock = SystemClock()
    ) {
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    /// What was made ready by `prepare`.
    public struct Prepared: Sendable {
        public let gateway: Gateway
        public let smppServer: SMPPServer
        public let httpAPI: HTTPAPI
        public let webhookSender: WebhookSender
        /// The HTTP listener (a Hummingbird application).
        public let httpServer: any Service
        /// The HTTP port once it is bound (the configured one, or the one picked for port 0).
        public let httpPort: BoundPort
        /// Printed once, when the data directory was new:
        /// `demo account: system_id=… password=… api_key=…`.
        public let demoAccountLine: String?
        /// Printed once, when an admin token was made: `admin token: …`.
        public let adminTokenLine: String?

        /// The connectors and routes.
        let connectors: ConnectorSet

        /// The admin API's own listener and its port, with `http.adminPort`.
        let adminServer: (any Service)?
        public let adminPort: BoundPort?

        /// How SMPP binds are checked (password threads, lockouts).
        public var bindChecks: SMPPFrontEnd.BindChecks { self.frontEnd.checks }
        let frontEnd: SMPPFrontEnd

        /// Each upstream connector's state by name: binding, up, throttled or down.
        public var connectorStates: [String: String] {
            self.connectors.states
        }

        /// Each connector as the admin API shows it (binds, messages awaiting receipts).
        public var connectorInfo: [ConnectorInfo] { self.connectors.connectors() }

        /// In start order; a graceful shutdown stops them in reverse (listeners first, the gateway last).
        public var services: [any Service] {
            [self.gateway, self.connectors, self.webhookSender] + (self.adminServer.map { [$0] } ?? []) + [self.httpServer, self.smppServer]
        }
    }

    /// Opens (or creates) the data directory and store, the demo account and the listeners.
    public func prepare() async throws -> Prepared {
        try self.configuration.validate()
        let directory = self.configuration.dataDirectory
        try DataDirectory.prepare(directory, logger: self.logger)
        let store: SQLiteMessageStore
        do {
            store = try SQLiteMessageStore(
                path: directory + "/shortwave.sqlite",
                configuration: .init(
                    fullSync: self.configuration.storage.fullSync,
                    checkpointInterval: .milliseconds(self.configuration.storage.checkpointMilliseconds)))
        } catch {
            throw ConfigurationError("cannot open the database in \(directory): \(error)")
        }
        var accounts = try await store.accounts()
        let keys = try await APIKeyRegistry.load(from: store)
        var demoLine: String?
        if accounts.isEmpty {
            let password = Credentials.random(length: 8)
            // High enough a request rate not to get in the way of a benchmark; a real account
            // gets its own limits.
            // Postpaid at no charge: the quick start never runs dry.
            let demo = Account(
                id: "demo", systemID: "demo", password: PasswordHash(password: password), numbers: [], requestsPerSecond: 1_000_000,
                billing: Billing(mode: .postpaid))
            try await store.save(demo)
            accounts = [demo]
            let (_, key) = try await keys.create(accountID: demo.id, label: "demo")
            demoLine = "demo account: system_id=\(demo.systemID) password=\(password) api_key=\(key)"
        }
        let registry = AccountRegistry(accounts, clock: self.clock)
        let gateway = Gateway(
            configuration: .init(
                node: self.configuration.node ?? Int.random(in: 0...1023), simulator: self.configuration.simulator,
                deliveryExpiry: .seconds(self.configuration.deliveryExpiryHours * 3600),
                commitBatch: self.configuration.storage.commitBatch, dlt: try self.configuration.dlt.rules(),
                insufficientBalanceStatus: CommandStatus(rawValue: UInt32(self.configuration.billing.insufficientBalanceStatus)),
                refundOn: try self.configuration.billing.refundStatuses()),
            store: store, accounts: registry, ledger: Ledger(try await store.balances()), logger: self.logger)

        let smpp = self.configuration.smpp
        var listeners = [SMPPServer.Listener(host: smpp.host, port: smpp.port)]
        if smpp.tlsPort >= 0 {
            let (context, certificatePath) = try TLSFiles.context(certificate: smpp.tlsCertificate, key: smpp.tlsKey, dataDirectory: directory)
            listeners.append(SMPPServer.Listener(host: smpp.host, port: smpp.tlsPort, tls: context))
            self.logger.info("SMPP TLS certificate", metadata: ["file": "\(certificatePath)"])
        }
        let session = SessionConfiguration(
            role: .smsc, windowSize: smpp.window, responseTimeout: .seconds(smpp.responseTimeoutSeconds),
            sessionInitTimeout: .seconds(smpp.sessionInitSeconds),
            enquireLinkInterval: smpp.enquireLinkSeconds > 0 ? .seconds(smpp.enquireLinkSeconds) : nil,
            inactivityTimeout: smpp.inactivitySeconds > 0 ? .seconds(smpp.inactivitySeconds) : nil)
        let connectors = try await ConnectorSet.make(
            connectors: try self.configuration.allConnectors(), routes: try self.configuration.allRoutes(), gateway: gateway, logger: self.logger)
        // Password checks on threads of their own (half the CPU budget), never the serving ones.
        let checks = SMPPFrontEnd.BindChecks(
            verifier: PasswordVerifier(concurrency: max(1, CPUBudget.available() / 2)),
            guard: BindGuard(clock: self.clock, logger: self.logger), distinctRefusals: smpp.distinctBindRefusals)
        let frontEnd = SMPPFrontEnd(gateway: gateway, checks: checks, logger: self.logger)
        let server = SMPPServer(
            configuration: .init(listeners: listeners, session: session, maximumPDULength: smpp.maximumPDULength),
            delegate: frontEnd, logger: self.logger)
        let loopback = ["127.0.0.1", "localhost", "::1"]
        if loopback.contains(smpp.host) || loopback.contains(self.configuration.http.host) {
            self.logger.notice(
                "listening on this machine only: other machines cannot reach it (set smpp.host / http.host, --smpp-host / --http-host, to 0.0.0.0 or an address)",
                metadata: ["smpp.host": "\(smpp.host)", "http.host": "\(self.configuration.http.host)"])
        }
        if !connectors.isRouting {
            self.logger.info(
            "carrier SIMULATOR is the only route: messages are not sent to any real network",
            metadata: ["simulator.delay_ms": "\(self.configuration.simulator.delayMilliseconds)"])
        }
        // The admin token: configured, or made once and kept as a hash.
        var adminLine: String?
        let tokenHash: [UInt8]
        if let token = self.configuration.adminToken {
            tokenHash = AdminAPI.hash(token: token)
        } else if let stored = try await store.setting("admin_token_sha256"), let bytes = Self.bytes(hex: stored), bytes.count == 32 {
            tokenHash = bytes
        } else {
            let token = AdminAPI.makeToken()
            tokenHash = AdminAPI.hash(token: token)
            try await store.save(setting: "admin_token_sha256", value: hexString(tokenHash))
            adminLine = "admin token: \(token)"
        }
        let api = HTTPAPI(
            gateway: gateway, keys: keys,
            configuration: .init(maximumBatch: self.configuration.http.maximumBatch, webhookTargets: try self.configuration.http.webhookTargets(),
                connections: self.configuration.http.connections),
            admin: AdminAPI(tokenHash: tokenHash, binds: frontEnd, metrics: self.metrics, connectors: connectors), logger: self.logger)
        let bound = BoundPort()
        let separateAdmin = self.configuration.http.adminPort != nil
        let http = api.application(host: self.configuration.http.host, port: self.configuration.http.port, includeAdmin: !separateAdmin) { port in
            bound.set(port)
        }
        var adminServer: (any Service)?
        var adminBound: BoundPort?
        if let adminPort = self.configuration.http.adminPort {
            let adminPortBox = BoundPort()
            adminBound = adminPortBox
            adminServer = api.adminApplication(host: self.configuration.http.adminHost, port: adminPort) { port in adminPortBox.set(port) }
            try await Self.checkListening(host: self.configuration.http.adminHost, port: adminPort, what: "the admin API")
        }
        let sender = WebhookSender(
            store: store, accounts: registry,
            configuration: .init(
                initialBackoff: .milliseconds(self.configuration.http.webhookInitialBackoffMilliseconds),
                targets: try self.configuration.http.webhookTargets()),
            logger: self.logger)
        // Every listener before anything starts (DESIGN rule 8): a port that cannot be had is a
        // one-line error naming it, not a gateway that runs without it.
        try await Self.checkListening(host: self.configuration.http.host, port: self.configuration.http.port, what: "HTTP")
        do {
            try await server.bindListeners()
        } catch let error as SMPPServer.ListenerError {
            throw ConfigurationError(error.description + (PortHolder.describe(port: error.port).map { " — held by \($0)" } ?? ""))
        }
        return Prepared(
            gateway: gateway, smppServer: server, httpAPI: api, webhookSender: sender, httpServer: http, httpPort: bound,
            demoAccountLine: demoLine, adminTokenLine: adminLine, connectors: connectors, adminServer: adminServer,
            adminPort: adminBound, frontEnd: frontEnd)
    }

    /// Binds `host:port` and lets it go again: the HTTP listener (Hummingbird binds its own
    /// socket when it runs) is checked before anything starts.
    static func checkListening(host: String, port: Int, what: String) async throws {
        guard port != 0 else { return }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch let error as IOError {
            let reason = error.errnoCode == EADDRINUSE ? "the address is already in use" : "\(error)"
            throw ConfigurationError(
                "cannot listen for \(what) on \(host):\(port): \(reason)" + (PortHolder.describe(port: port).map { " — held by \($0)" } ?? ""))
        } catch {
            throw ConfigurationError("cannot listen for \(what) on \(host):\(port): \(error)")
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// Runs until SIGTERM/SIGINT.
    public func run(_ prepared: Prepared) async throws {
        let group = ServiceGroup(
            configuration: .init(
                // A service that fails (a listener that could not bind after all) shuts the others
                // down gracefully, and `run` throws its error.
                services: prepared.services.map { .init(service: $0, failureTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: self.logger))
        try await group.run()
    }
}

/// A port known once a listener is bound.
public final class BoundPort: Sendable {
    let state = Mutex<(port: Int?, waiting: [CheckedContinuation<Int, Never>])>((nil, []))

    public init() {}

    func set(_ port: Int) {
        let waiting = self.state.withLock { state in
            state.port = port
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume(returning: port) }
    }

    /// The port, waiting until it is bound.
    public func value() async -> Int {
        await withCheckedContinuation { continuation in
            let port = self.state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiting.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }
}
