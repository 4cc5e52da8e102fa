import Foundation
import GatewayApp
import GatewayCore
import GatewayHTTP
import Hummingbird
import HummingbirdTesting
import ServiceLifecycle
import Testing

/// Issue 15, item 10: a store that cannot write is an error at start; one that stops writing
/// while running makes readiness false and answers 503 with Retry-After (never a 500), and the
/// gateway recovers by itself when it can write again. (scripts/gateway-e2e does the same with
/// a real full disk: a small tmpfs filled up.)
@Suite struct StorageFailureTests {
    @Test func anUnwritableDataDirectoryRefusesToStart() async throws {
        // A directory even root cannot create files in.
        var configuration = GatewayConfiguration()
        configuration.dataDirectory = "/proc/self/fdinfo"
        configuration.smpp.port = 0
        configuration.http.port = 0
        let application = GatewayApplication(configuration: configuration, logger: TestGateway.quiet)
        do {
            _ = try await application.prepare()
            Issue.record("the gateway started on a data directory it cannot write to")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("/proc/self/fdinfo is not writable"), "\(error)")
            #expect(error.description.contains("--data-dir"), "\(error)")
        }
    }

    @Test func aStoreThatStopsWritingIs503AndNotReadyUntilItWritesAgain() async throws {
        let store = InMemoryMessageStore()
        let account = Account(id: "acme", systemID: "acme", password: PasswordHash(password: "pw", rounds: 10), billing: Billing(mode: .postpaid))
        try await store.save(account)
        let gateway = Gateway(configuration: .init(node: 1), store: store, accounts: AccountRegistry([account]), logger: TestGateway.quiet)
        let keys = try await APIKeyRegistry.load(from: store)
        let (_, key) = try await keys.create(accountID: "acme")
        let api = HTTPAPI(gateway: gateway, keys: keys, logger: TestGateway.quiet)
        let group = ServiceGroup(services: [gateway], logger: TestGateway.quiet)
        let running = Task { try await group.run() }
        let message = #"{"to":"+447700900123","from":"ACME","body":"hello"}"#
        try await Application(router: api.router()).test(.router) { client in
            #expect(try await client.call(.get, "/health/ready", key: nil).status == 200)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: message).status == 202)

            store.setFailingWrites(true)
            let refused = try await client.call(.post, "/v2/messages", key: key, body: message)
            #expect(refused.status == 503 && refused.code == "storage_unavailable")
            #expect(refused.headers[.retryAfter] == "5")
            #expect(!gateway.storeHealth.canCommit)
            let notReady = try await client.call(.get, "/health/ready", key: nil)
            #expect(notReady.status == 503 && notReady.json["reason"] as? String == "storage")
            // Still failing: still not ready (the probe's write fails too), still 503.
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await client.call(.get, "/health/ready", key: nil).status == 503)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: message).status == 503)

            // The disk has room again: ready by itself (the probe), and messages are taken.
            store.setFailingWrites(false)
            #expect(await eventually(10) { (try? await client.call(.get, "/health/ready", key: nil).status) == 200 })
            #expect(gateway.storeHealth.canCommit)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: message).status == 202)
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
