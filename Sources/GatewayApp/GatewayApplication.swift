import Foundation
public import GatewayCore
import GatewayStorageSQLite
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import SMPPServer
import SMPPSession
import ServiceLifecycle
import UnixSignals

/// `shortwave serve`: configuration → store → gateway → SMPP listeners, as one `ServiceGroup`
/// that shuts down gracefully on SIGTERM/SIGINT (the SMPP server unbinds its sessions and drains
/// their windows first, then the gateway finishes its commits).
public struct GatewayApplication: Sendable {
    public let configuration: GatewayConfiguration
    public let logger: Logger

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// What was made ready by `prepare`.
    public struct Prepared: Sendable {
        public let gateway: Gateway
        public let smppServer: SMPPServer
        /// Printed once, when the data directory was new: `demo account: system_id=… password=…`.
        public let demoAccountLine: String?
    }

    /// Opens (or creates) the data directory and store, the demo account and the listeners.
    public func prepare() async throws -> Prepared {
        try self.configuration.validate()
        let directory = self.configuration.dataDirectory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("cannot create the data directory \(directory): \(error.localizedDescription)")
        }
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
        var demoLine: String?
        if accounts.isEmpty {
            let password = Credentials.random(length: 8)
            let demo = Account(id: "demo", systemID: "demo", password: PasswordHash(password: password), numbers: [])
            try await store.save(demo)
            accounts = [demo]
            demoLine = "demo account: system_id=\(demo.systemID) password=\(password)"
        }
        let registry = AccountRegistry(accounts)
        let gateway = Gateway(
            configuration: .init(
                node: self.configuration.node ?? Int.random(in: 0...1023), simulator: self.configuration.simulator,
                deliveryExpiry: .seconds(self.configuration.deliveryExpiryHours * 3600),
                commitBatch: self.configuration.storage.commitBatch),
            store: store, accounts: registry, logger: self.logger)

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
        let server = SMPPServer(
            configuration: .init(listeners: listeners, session: session, maximumPDULength: smpp.maximumPDULength),
            delegate: SMPPFrontEnd(gateway: gateway, logger: self.logger), logger: self.logger)
        self.logger.info(
            "carrier SIMULATOR is the only route: messages are not sent to any real network",
            metadata: ["simulator.delay_ms": "\(self.configuration.simulator.delayMilliseconds)"])
        return Prepared(gateway: gateway, smppServer: server, demoAccountLine: demoLine)
    }

    /// Runs until SIGTERM/SIGINT.
    public func run(_ prepared: Prepared) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: prepared.gateway), .init(service: prepared.smppServer)],
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: self.logger))
        try await group.run()
    }
}
