import Foundation
import GatewayApp
import GatewayCore
import Logging
import NIOCore
import SMPPClient
import SMPPServer
import SMPPCore
import SMPPSession
import ServiceLifecycle

/// `shortwave serve` in-process on 127.0.0.1 (ephemeral ports, a temporary data directory):
/// the same `GatewayApplication` the command runs, with real sockets and a real SQLite file.
final class TestGateway: Sendable {
    let prepared: GatewayApplication.Prepared
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let port: Int
    let tlsPort: Int
    let directory: String

    var gateway: Gateway { self.prepared.gateway }

    static let quiet: Logger = {
        var logger = Logger(label: "test-gateway")
        logger.logLevel = .critical
        return logger
    }()

    static func start(
        directory: String? = nil, clock: any GatewayClock = SystemClock(), configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> TestGateway {
        var configuration = GatewayConfiguration()
        configuration.dataDirectory = directory ?? (NSTemporaryDirectory() + "shortwave-gw-" + UUID().uuidString)
        configuration.smpp.host = "127.0.0.1"
        configuration.smpp.port = 0
        configuration.smpp.tlsPort = 0
        configuration.http.host = "127.0.0.1"
        configuration.http.port = 0
        configuration.storage.fullSync = false
        // The tests' webhook receivers listen on loopback, which webhooks may not reach by
        // default; the SSRF tests set this back to none.
        configuration.http.webhookAllowedNetworks = ["127.0.0.1/32"]
        configure(&configuration)
        let application = GatewayApplication(configuration: configuration, logger: Self.quiet, clock: clock)
        let prepared = try await application.prepare()
        let group = ServiceGroup(
            configuration: .init(services: prepared.services.map { .init(service: $0) }, logger: Self.quiet))
        let task = Task { try await group.run() }
        let addresses = try await prepared.smppServer.localAddresses
        let httpPort = await prepared.httpPort.value()
        return TestGateway(
            prepared: prepared, group: group, task: task, port: addresses[0].port ?? 0,
            tlsPort: addresses.count > 1 ? addresses[1].port ?? 0 : 0, httpPort: httpPort, directory: configuration.dataDirectory)
    }

    let httpPort: Int

    private init(
        prepared: GatewayApplication.Prepared, group: ServiceGroup, task: Task<Void, any Error>, port: Int, tlsPort: Int, httpPort: Int,
        directory: String
    ) {
        self.httpPort = httpPort
        self.prepared = prepared
        self.group = group
        self.task = task
        self.port = port
        self.tlsPort = tlsPort
        self.directory = directory
    }

    /// Graceful shutdown (SIGTERM's path); the data directory stays for a restart.
    func stop() async throws {
        await self.group.triggerGracefulShutdown()
        try await self.task.value
    }

    func removeData() { try? FileManager.default.removeItem(atPath: self.directory) }

    @discardableResult
    func addAccount(
        id: String = "acme", systemID: String = "acme", password: String = "secret", binds: Set<Account.BindKind> = Set(Account.BindKind.allCases),
        maxBinds: Int = 16, messagesPerSecond: Int? = nil, enabled: Bool = true, numbers: [String] = [], senders: [String] = [],
        requestsPerSecond: Int? = nil, webhookURL: String? = nil, moWebhookURL: String? = nil
    ) async throws -> Account {
        let account = Account(
            id: id, systemID: systemID, password: PasswordHash(password: password, rounds: 1_000), allowedBinds: binds, maxBinds: maxBinds,
            messagesPerSecond: messagesPerSecond, enabled: enabled, numbers: numbers, senders: senders, requestsPerSecond: requestsPerSecond,
            webhookURL: webhookURL, moWebhookURL: moWebhookURL)
        try await self.gateway.store.save(account)
        self.gateway.accounts.upsert(account)
        return account
    }

    func connect(
        systemID: String = "acme", password: String = "secret", bind: BindType = .transceiver, tls: SMPPConnection.TLS = .disabled
    ) async throws -> SMPPConnection {
        try await SMPPConnection.connect(
            SMPPConnection.Configuration(
                host: "127.0.0.1", port: tls.isEnabled ? self.tlsPort : self.port, systemID: systemID, password: password, bindType: bind,
                tls: tls, session: SessionConfiguration(role: .esme, responseTimeout: .seconds(10), bindTimeout: .seconds(5)),
                connectTimeout: .seconds(5)),
            logger: Self.quiet)
    }
}

/// Runs `body` with a fresh gateway and removes its data afterwards.
func withGateway(
    clock: any GatewayClock = SystemClock(), configure: (inout GatewayConfiguration) -> Void = { _ in },
    _ body: (TestGateway) async throws -> Void
) async throws {
    let gateway = try await TestGateway.start(clock: clock, configure: configure)
    do {
        try await body(gateway)
    } catch {
        try? await gateway.stop()
        gateway.removeData()
        throw error
    }
    try await gateway.stop()
    gateway.removeData()
}

func submit(
    from source: String = "ACME", to destination: String = "447700900001", text: String = "hello", receipt: RegisteredDelivery = .receipt,
    schedule: SMPPTime? = nil
) -> SubmitSM {
    SubmitSM(
        source: source.allSatisfy(\.isNumber) ? .init(ton: .international, npi: .isdn, source) : .init(ton: .alphanumeric, npi: .unknown, source),
        destination: .init(ton: .international, npi: .isdn, destination),
        scheduleDeliveryTime: schedule, registeredDelivery: receipt, shortMessage: ByteBuffer(string: text))
}

/// Waits until `condition` holds, for at most `seconds`.
func eventually(_ seconds: Double = 20, _ condition: () async -> Bool) async -> Bool {
    let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Takes `count` inbound messages, or what came within `seconds`.
func collect(_ inbound: InboundMessages, count: Int, seconds: Double = 10) async -> [InboundMessage] {
    await withTaskGroup(of: [InboundMessage]?.self) { group in
        let box = CollectBox()
        group.addTask {
            for await message in inbound {
                box.append(message)
                if box.count == count { break }
            }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return nil
        }
        _ = await group.next()
        group.cancelAll()
        return box.all
    }
}

final class CollectBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [InboundMessage] = []
    func append(_ item: InboundMessage) { self.lock.withLock { self.items.append(item) } }
    var count: Int { self.lock.withLock { self.items.count } }
    var all: [InboundMessage] { self.lock.withLock { self.items } }
}

extension InboundMessage {
    var receipt: SMPPReceipt? { if case .receipt(let receipt) = self { receipt } else { nil } }
    var mo: SMPPMobileOriginated? { if case .message(let message) = self { message } else { nil } }
}
