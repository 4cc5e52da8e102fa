import Foundation
import GatewayApp
import GatewayCore
import GatewayHTTP
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Issue 15, items 1 and 7: webhooks never reach the operator's own network unless allowed,
/// a name is checked on the address it resolves to and the connection goes there, a slow or
/// hanging endpoint holds only its owner's share of the sender, and an answer that trickles
/// ends at the deadline.
@Suite struct WebhookSafetyTests {
    // MARK: set time (the real gateway, default rules)

    @Test func urlsNamingInternalAddressesAreRefusedWhereverTheyAreSet() async throws {
        let receiver = WebhookReceiver()
        let url = try await receiver.start()
        let port = try #require(URL(string: url)?.port)
        try await withGateway(configure: { $0.http.webhookAllowedNetworks = [] }) { gateway in
            try await gateway.addAccount()
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
            let token = String(try #require(gateway.prepared.adminTokenLine).dropFirst("admin token: ".count))
            let spellings = [
                url, "http://2130706433:\(port)/hook", "http://0x7f.1:\(port)/hook", "http://[::ffff:127.0.0.1]:\(port)/hook",
                "http://localhost:\(port)/hook", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/x", "http://0.0.0.0:\(port)/hook",
            ]
            for spelling in spellings {
                let account = try await live(gateway, .patch, "/v2/account", key: key, body: #"{"webhook_url":"\#(spelling)"}"#)
                #expect(account.status == 422 && account.code == "webhook_address_not_allowed", "\(spelling)")
                #expect(account.json["field"] as? String == "webhook_url")
                let message = try await live(
                    gateway, .post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"A","body":"B","callback_url":"\#(spelling)"}"#)
                #expect(message.status == 422 && message.code == "webhook_address_not_allowed", "\(spelling)")
                let admin = try await live(gateway, .patch, "/admin/v1/accounts/acme", key: token, body: #"{"mo_webhook_url":"\#(spelling)"}"#)
                #expect(admin.status == 422 && admin.code == "webhook_address_not_allowed", "\(spelling)")
            }
            // A public URL is still fine; nothing reached the internal listener.
            let fine = try await live(gateway, .patch, "/v2/account", key: key, body: #"{"webhook_url":"https://hooks.example.com/dlr"}"#)
            #expect(fine.status == 200)
            #expect(try await gateway.gateway.store.accounts().first { $0.id == "acme" }?.webhookURL == "https://hooks.example.com/dlr")
        }
        #expect(receiver.received.isEmpty)
        await receiver.stop()
    }

    @Test func anOperatorRangeLetsAnInternalReceiverThrough() async throws {
        try await withGateway(configure: { $0.http.webhookAllowedNetworks = ["127.0.0.1/32"] }) { gateway in
            try await gateway.addAccount()
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
            let allowed = try await live(gateway, .patch, "/v2/account", key: key, body: #"{"webhook_url":"http://127.0.0.1:9/x"}"#)
            #expect(allowed.status == 200)
            let other = try await live(gateway, .patch, "/v2/account", key: key, body: #"{"webhook_url":"http://127.0.0.2:9/x"}"#)
            #expect(other.status == 422 && other.code == "webhook_address_not_allowed")
        }
    }

    @Test func aBadRangeInTheConfigurationIsAnError() throws {
        var configuration = GatewayConfiguration()
        configuration.http.webhookAllowedNetworks = ["10.0.0.0/33"]
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }

    // MARK: send time (the sender over loopback, names resolved by the test)

    /// Names only this test can resolve: reaching the receiver through one proves the
    /// connection went to the address that was checked.
    static let resolver: WebhookSender.Resolver = { host in
        switch host {
        case "hooks.test", "tarpit.test", "trickle.test": return [IPAddress(127, 0, 0, 1)]
        case "mixed.test": return [IPAddress(93, 184, 215, 14), IPAddress(10, 0, 0, 7)]
        default: throw CancellationError()
        }
    }

    static func account(_ id: String) -> Account {
        var account = Account(id: id, systemID: id, password: PasswordHash(password: "p", rounds: 10))
        account.webhookSecret = "whsec_\(id)"
        return account
    }

    static func webhook(_ account: String, _ url: String, _ n: Int) -> Webhook {
        Webhook(
            accountID: account, kind: .status, url: url, body: Array(#"{"n":\#(n)}"#.utf8), createdAt: wallClockMilliseconds(),
            expiresAt: wallClockMilliseconds() + 3_600_000)
    }

    /// Runs a sender over `store` until `body` returns.
    func withSender(
        _ store: InMemoryMessageStore, accounts: [String], _ configuration: WebhookSender.Configuration,
        _ body: @Sendable () async throws -> Void
    ) async throws {
        let sender = WebhookSender(
            store: store, accounts: AccountRegistry(accounts.map(Self.account)), configuration: configuration, resolver: Self.resolver,
            logger: TestGateway.quiet)
        let task = Task { try await sender.run() }
        defer { task.cancel() }
        try await body()
        task.cancel()
        _ = try? await task.value
    }

    @Test func aNameThatResolvesInsideIsNotPostedTo() async throws {
        let receiver = WebhookReceiver()
        let port = try #require(URL(string: try await receiver.start())?.port)
        let store = InMemoryMessageStore()
        _ = try await store.insert(webhooks: [
            Self.webhook("acme", "http://hooks.test:\(port)/hook", 1), Self.webhook("acme", "http://mixed.test:\(port)/hook", 2),
        ])
        try await self.withSender(store, accounts: ["acme"], .init(initialBackoff: .seconds(60))) {
            // Both tried once and failed (to be tried again later: the name may change).
            #expect(await eventually { store.owedWebhooks.allSatisfy { $0.attempts == 1 } })
        }
        #expect(receiver.received.isEmpty)
        // With loopback allowed, the same name reaches the receiver at the checked address.
        let allowed = InMemoryMessageStore()
        _ = try await allowed.insert(webhooks: [Self.webhook("acme", "http://hooks.test:\(port)/hook", 3)])
        let targets = WebhookTargets(allowedNetworks: [try #require(IPNetwork("127.0.0.1/32"))])
        try await self.withSender(allowed, accounts: ["acme"], .init(targets: targets)) {
            #expect(await eventually { receiver.received.count == 1 && allowed.owedWebhooks.isEmpty })
        }
        #expect(receiver.received.first?.json["n"] as? Int == 3)
        await receiver.stop()
    }

    @Test func aTarpitTenantDelaysOnlyItself() async throws {
        let tarpit = try await SlowHTTPServer.start(.tarpit)
        let receiver = WebhookReceiver()
        let port = try #require(URL(string: try await receiver.start())?.port)
        let store = InMemoryMessageStore()
        // The slow tenant's 100 webhooks are older than the other's 5: oldest first would give
        // it every slot.
        _ = try await store.insert(webhooks: (0..<100).map { Self.webhook("slow", "http://tarpit.test:\(tarpit.port)/hook", $0) })
        _ = try await store.insert(webhooks: (0..<5).map { Self.webhook("fast", "http://hooks.test:\(port)/hook", $0) })
        let targets = WebhookTargets(allowedNetworks: [try #require(IPNetwork("127.0.0.1/32"))])
        // The tarpit is never answered within the test: the other account's webhooks arrive
        // while every one of the slow tenant's is still held.
        try await self.withSender(store, accounts: ["slow", "fast"], .init(concurrency: 64, timeout: .seconds(120), targets: targets)) {
            #expect(await eventually(60) { receiver.received.count == 5 })
            #expect(await eventually { tarpit.connections >= 1 })
            #expect(tarpit.connections <= 16, "the slow account holds at most its share (16 of 64)")
            #expect(await eventually { store.owedWebhooks.count == 100 })
        }
        await receiver.stop()
        try await tarpit.stop()
    }

    @Test func anAnswerThatTricklesEndsAtTheDeadline() async throws {
        let trickle = try await SlowHTTPServer.start(.trickle)
        let store = InMemoryMessageStore()
        _ = try await store.insert(webhooks: [Self.webhook("acme", "http://trickle.test:\(trickle.port)/hook", 1)])
        let targets = WebhookTargets(allowedNetworks: [try #require(IPNetwork("127.0.0.1/32"))])
        // The server answers 200 and then one byte of its body every 200 ms, for ever: each read
        // is quick, the exchange never ends. The deadline covers the whole of it.
        try await self.withSender(store, accounts: ["acme"], .init(timeout: .seconds(2), initialBackoff: .seconds(60), targets: targets)) {
            #expect(await eventually(60) { store.owedWebhooks.first?.attempts == 1 })
        }
        #expect(store.owedWebhooks.count == 1, "not delivered: its answer never ended")
        try await trickle.stop()
    }
}

/// An HTTP server that never finishes: `.tarpit` reads and never answers; `.trickle` answers
/// `200` with a long body and sends it a byte every 200 ms.
final class SlowHTTPServer: Sendable {
    enum Mode: Sendable { case tarpit, trickle }

    let channel: any Channel
    let opened: Counter
    var port: Int { self.channel.localAddress?.port ?? 0 }
    /// Connections accepted so far.
    var connections: Int { self.opened.value.load(ordering: .relaxed) }

    final class Counter: Sendable { let value = Atomic<Int>(0) }

    init(channel: any Channel, opened: Counter) {
        self.channel = channel
        self.opened = opened
    }

    static func start(_ mode: Mode) async throws -> SlowHTTPServer {
        let opened = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                opened.value.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(mode: mode)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SlowHTTPServer(channel: channel, opened: opened)
    }

    func stop() async throws { try await self.channel.close() }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let mode: Mode
        var answering = false
        init(mode: Mode) { self.mode = mode }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // The tarpit takes the request and says nothing; the trickle starts its answer once.
            guard self.mode == .trickle, !self.answering else { return }
            self.answering = true
            context.writeAndFlush(NIOAny(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")), promise: nil)
            let channel = context.channel
            channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { task in
                guard channel.isActive else { return task.cancel() }
                channel.writeAndFlush(ByteBuffer(string: "x"), promise: nil)
            }
        }
    }
}
