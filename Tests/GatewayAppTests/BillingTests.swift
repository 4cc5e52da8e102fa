import Foundation
import GatewayApp
import GatewayCore
import GatewayHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMPPClient
import SMPPCore
import Testing

/// Prepaid balances and rate cards over real SMPP binds and HTTP, on the SQLite store.
@Suite struct BillingTests {
    func withBilling(
        configure: @escaping (inout GatewayConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (TestGateway, any TestClientProtocol, String, String) async throws -> Void
    ) async throws {
        try await withGateway(configure: configure) { gateway in
            let token = String(try #require(gateway.prepared.adminTokenLine).dropFirst("admin token: ".count))
            try await Application(router: gateway.prepared.httpAPI.router()).test(.router) { client in
                let created = try await client.call(
                    .post, "/admin/v1/accounts", key: token,
                    body: #"{"system_id":"acme","password":"pw345678","api_key":true,"billing":{"mode":"prepaid","currency":"INR","default_rate":3,"rates":{"44":2,"447":1}}}"#)
                #expect(created.status == 201, "\(String(buffer: created.body))")
                try await body(gateway, client, token, try #require(created.json["api_key"] as? String))
            }
        }
    }

    @Test func aPrepaidBalanceIsSpentExactlyOnceUnderConcurrency() async throws {
        try await withBilling { gateway, client, token, apiKey in
            let topUp = try await client.call(.post, "/admin/v1/accounts/acme/balance", key: token, body: #"{"amount":300}"#)
            #expect(topUp.status == 200 && topUp.json["balance"] as? Int == 300)
            // Four SMPP binds and four HTTP clients spend it at once: 1 unit a segment to +447…,
            // 400 messages wanted, 300 can be paid for.
            let connections = try await (0..<4).asyncMap { _ in try await gateway.connect(systemID: "acme", password: "pw345678") }
            let results = try await withThrowingTaskGroup(of: (ok: Int, refused: Int).self) { group in
                for connection in connections {
                    group.addTask {
                        let replies = try await connection.submit(contentsOf: (0..<50).map { submit(from: "ACME", to: "4477009\(String(format: "%05d", $0))") })
                        let statuses = replies.map { (try? $0.get().status) ?? .systemError }
                        #expect(statuses.allSatisfy { $0 == .ok || $0 == CommandStatus(rawValue: 0x45) })
                        return (statuses.filter { $0 == .ok }.count, statuses.filter { $0 != .ok }.count)
                    }
                }
                for _ in 0..<4 {
                    group.addTask {
                        var ok = 0
                        var refused = 0
                        for index in 0..<50 {
                            let reply = try await live(
                                gateway, .post, "/v2/messages", key: apiKey, body: #"{"to":"+4477008\#(String(format: "%05d", index))","from":"ACME","body":"hi"}"#)
                            if reply.status == 202 { ok += 1 } else {
                                #expect(reply.status == 402 && reply.code == "insufficient_balance")
                                refused += 1
                            }
                        }
                        return (ok, refused)
                    }
                }
                return try await group.reduce(into: (ok: 0, refused: 0)) { $0.ok += $1.ok; $0.refused += $1.refused }
            }
            #expect(results.ok == 300 && results.refused == 100)
            #expect(gateway.gateway.ledger.balance("acme") == 0)
            let stored = try await gateway.gateway.store.messages(MessageQuery(accountID: "acme", limit: 1000)).messages
            #expect(stored.count == 300 && stored.allSatisfy { $0.price == 1 })
            #expect(try await gateway.gateway.store.balances()["acme"] == 0)
            #expect(try await client.call(.get, "/v2/account", key: apiKey).json["balance"] as? Int == 0)
            for connection in connections { await connection.close() }
        }
    }

    @Test func theLongestPrefixPricesEachSegment() async throws {
        try await withBilling { gateway, client, token, apiKey in
            _ = try await client.call(.post, "/admin/v1/accounts/acme/balance", key: token, body: #"{"amount":100}"#)
            let long = String(repeating: "x", count: 200)  // 2 segments
            for (to, price) in [("+447700900123", 2), ("+441234567890", 4), ("+4915112345678", 6)] {
                let sent = try await client.call(.post, "/v2/messages", key: apiKey, body: #"{"to":"\#(to)","from":"ACME","body":"\#(long)"}"#)
                #expect(sent.status == 202 && sent.json["price"] as? Int == price, "\(to)")
            }
            #expect(gateway.gateway.ledger.balance("acme") == 88)
            let taken = try await client.call(.post, "/admin/v1/accounts/acme/balance", key: token, body: #"{"amount":-100}"#)
            #expect(taken.status == 422)  // a prepaid balance never goes below zero
            let bad = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"billing":{"rates":{"+44":1}}}"#)
            #expect(bad.status == 422 && bad.json["field"] as? String == "billing.rates")
        }
    }

    @Test func messagesThatNeverReachACarrierAreRefundedOnce() async throws {
        try await withBilling(configure: { $0.simulator.rules = [.init(destinationSuffix: "9", status: .rejected, error: 11)] }) {
            gateway, client, token, apiKey in
            _ = try await client.call(.post, "/admin/v1/accounts/acme/balance", key: token, body: #"{"amount":10}"#)
            // Rejected by the carrier: refunded.
            let rejected = try await client.call(.post, "/v2/messages", key: apiKey, body: #"{"to":"+447700900129","from":"ACME","body":"x"}"#)
            #expect(rejected.status == 202)
            #expect(await eventually { gateway.gateway.ledger.balance("acme") == 10 })
            // Cancelled before it went: refunded.
            let at = Timestamp.string(wallClockMilliseconds() + 3_600_000)
            let later = try await client.call(
                .post, "/v2/messages", key: apiKey, body: #"{"to":"+447700900121","from":"ACME","body":"x","schedule_at":"\#(at)"}"#)
            #expect(gateway.gateway.ledger.balance("acme") == 9)
            #expect(try await client.call(.delete, "/v2/messages/\(later.json["id"] as! String)", key: apiKey).status == 200)
            #expect(gateway.gateway.ledger.balance("acme") == 10)
            // Delivered: paid for.
            _ = try await client.call(.post, "/v2/messages", key: apiKey, body: #"{"to":"+447700900122","from":"ACME","body":"x"}"#)
            #expect(await eventually { (try? await gateway.gateway.store.balances()["acme"]) == 9 })
            #expect(gateway.gateway.ledger.balance("acme") == 9)
        }
    }

    @Test func balancesSurviveARestart() async throws {
        let gateway = try await TestGateway.start()
        defer { gateway.removeData() }
        let token = String(try #require(gateway.prepared.adminTokenLine).dropFirst("admin token: ".count))
        let apiKey = try await Application(router: gateway.prepared.httpAPI.router()).test(.router) { client -> String in
            let created = try await client.call(
                .post, "/admin/v1/accounts", key: token, body: #"{"system_id":"acme","api_key":true,"billing":{"mode":"prepaid","default_rate":5}}"#)
            _ = try await client.call(.post, "/admin/v1/accounts/acme/balance", key: token, body: #"{"amount":12}"#)
            // A change of settings never touches the balance.
            _ = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"window":7}"#)
            let key = try #require(created.json["api_key"] as? String)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"ACME","body":"x"}"#).status == 202)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"ACME","body":"x"}"#).status == 202)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"ACME","body":"x"}"#).status == 402)
            return key
        }
        try await gateway.stop()
        let restarted = try await TestGateway.start(directory: gateway.directory)
        #expect(restarted.gateway.ledger.balance("acme") == 2)
        let shown = try await Application(router: restarted.prepared.httpAPI.router()).test(.router) { client in
            try await client.call(.get, "/v2/account", key: apiKey).json["balance"] as? Int
        }
        #expect(shown == 2)
        try await restarted.stop()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
