import Foundation
import GatewayApp
import GatewayCore
import GatewayHTTP
import HTTPTypes
import NIOCore
import SMPPClient
import SMPPCore
import Testing

/// The HTTP API over real sockets: the gateway's own listener, a customer's webhook endpoint on
/// loopback, the Swift ESME on the SMPP port — one service, one id, one status vocabulary.
@Suite struct HTTPLiveTests {
    static let hello = #"{"to":"+447700900123","from":"Shortwave","body":"Hello"}"#

    @Test func aMessageSentOverHTTPGetsItsSignedDeliveryWebhook() async throws {
        let receiver = WebhookReceiver()
        let url = try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await withGateway { gateway in
            let account = try await gateway.addAccount(webhookURL: "http://127.0.0.1:9/never-used")
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: account.id)
            let sent = try await live(
                gateway, .post, "/v2/messages", key: key,
                body: #"{"to":"+447700900123","from":"Shortwave","body":"Hello","callback_url":"\#(url)","client_ref":"c-1"}"#)
            #expect(sent.status == 202)
            let id = try #require(sent.json["id"] as? String)
            #expect(await eventually { receiver.received.count >= 1 })
            let hook = try #require(receiver.received.first)
            #expect(signatureIsValid(hook.headers[HTTPField.Name("Shortwave-Signature")!], body: hook.body, secret: account.webhookSecret))
            #expect(!signatureIsValid(hook.headers[HTTPField.Name("Shortwave-Signature")!], body: hook.body + [0x20], secret: account.webhookSecret))
            #expect(hook.headers[HTTPField.Name("Shortwave-Event")!] == "message.status")
            #expect(hook.headers[.contentType] == "application/json")
            let event = hook.json
            #expect(event["type"] as? String == "message.status")
            let message = try #require(event["message"] as? [String: Any])
            #expect(message["id"] as? String == id)
            #expect(message["status"] as? String == "delivered")
            #expect(message["client_ref"] as? String == "c-1")
            // Answered 2xx: gone from the outbox.
            #expect(await eventually { (try? await gateway.gateway.store.claimWebhooks(now: .max, lease: 0, limit: 10).isEmpty) == true })
            // GET agrees with the webhook.
            let read = try await live(gateway, .get, "/v2/messages/\(id)", key: key)
            #expect(read.json["status"] as? String == "delivered")
        }
    }

    @Test func cancellingIsAStatusChangeWithItsWebhook() async throws {
        let receiver = WebhookReceiver()
        let url = try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await withGateway { gateway in
            try await gateway.addAccount()
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
            let at = Timestamp.string(wallClockMilliseconds() + 3_600_000)
            let sent = try await live(
                gateway, .post, "/v2/messages", key: key,
                body: #"{"to":"+447700900123","from":"Shortwave","body":"Later","schedule_at":"\#(at)","callback_url":"\#(url)"}"#)
            let id = try #require(sent.json["id"] as? String)
            #expect(try await live(gateway, .delete, "/v2/messages/\(id)", key: key).status == 200)
            #expect(await eventually { receiver.received.count == 1 })
            let message = try #require(receiver.received.first?.json["message"] as? [String: Any])
            #expect(message["id"] as? String == id && message["status"] as? String == "deleted")
        }
    }

    @Test func oneIdAndStatusWhicheverWayAMessageCameIn() async throws {
        try await withGateway { gateway in
            try await gateway.addAccount()
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
            let connection = try await gateway.connect()
            defer { Task { await connection.close() } }
            // SMPP in, HTTP out: the id submit_sm_resp gave.
            let reply = try await connection.submit(submit())
            #expect(reply.isOK)
            let receipt = try #require(await collect(connection.inbound, count: 1).first?.receipt)
            #expect(receipt.messageID == reply.messageID)
            let read = try await live(gateway, .get, "/v2/messages/\(reply.messageID)", key: key)
            #expect(read.status == 200)
            #expect(read.json["id"] as? String == reply.messageID)
            #expect(read.json["ingress"] as? String == "smpp")
            #expect(read.json["status"] as? String == "delivered")
            #expect(receipt.text?.stat == "DELIVRD")
            // HTTP in, SMPP out: query_sm finds it under the id the 202 gave.
            let sent = try await live(gateway, .post, "/v2/messages", key: key, body: Self.hello)
            let id = try #require(sent.json["id"] as? String)
            #expect(
                await eventually {
                    (try? await connection.query(QuerySM(messageID: id)))?.body.messageState == .delivered
                })
            #expect(try await live(gateway, .get, "/v2/messages/\(id)", key: key).json["status"] as? String == "delivered")
        }
    }

    @Test func aFailingEndpointIsRetriedWithBackoffUntilItAnswers() async throws {
        let receiver = WebhookReceiver(failures: 2)
        let url = try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await withGateway(configure: { $0.http.webhookInitialBackoffMilliseconds = 100 }) { gateway in
            try await gateway.addAccount(webhookURL: url)
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
            let sent = try await live(gateway, .post, "/v2/messages", key: key, body: Self.hello)
            #expect(sent.status == 202)
            #expect(await eventually(15) { receiver.received.count == 1 })
            #expect(receiver.refused == 2)
            #expect(receiver.received.first?.headers[HTTPField.Name("Shortwave-Attempt")!] == "3")
        }
    }

    @Test func webhooksOwedAreSentAfterARestart() async throws {
        // The endpoint is down while the gateway runs; the gateway stops with the webhook owed.
        // (Down as in answering 503: its port is never released and bound again.)
        let receiver = WebhookReceiver()
        receiver.setDown(true)
        let url = try await receiver.start()
        defer { Task { await receiver.stop() } }
        let gateway = try await TestGateway.start(configure: { $0.http.webhookInitialBackoffMilliseconds = 100 })
        defer { gateway.removeData() }
        try await gateway.addAccount(webhookURL: url)
        let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
        let id = try #require(try await live(gateway, .post, "/v2/messages", key: key, body: Self.hello).json["id"] as? String)
        // Delivered: its webhook is stored (same transaction); let the sender fail against the dead endpoint.
        #expect(await eventually { (try? await gateway.gateway.store.message(MessageID(id)!))?.status == .delivered })
        try await Task.sleep(for: .milliseconds(500))
        try await gateway.stop()
        #expect(receiver.received.isEmpty)
        // Back up, and so is the endpoint: the webhook arrives.
        receiver.setDown(false)
        let restarted = try await TestGateway.start(directory: gateway.directory, configure: { $0.http.webhookInitialBackoffMilliseconds = 100 })
        #expect(await eventually(20) { receiver.received.count == 1 })
        #expect((receiver.received.first?.json["message"] as? [String: Any])?["id"] as? String == id)
        try await restarted.stop()
    }

    @Test func inboundMessagesGoToTheMOWebhook() async throws {
        let receiver = WebhookReceiver()
        let url = try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await withGateway { gateway in
            let account = try await gateway.addAccount(moWebhookURL: url)
            let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
            // The simulator's handset answers PING with PONG.
            let sent = try await live(gateway, .post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"+447700900555","body":"PING"}"#)
            #expect(sent.status == 202)
            #expect(await eventually { receiver.received.count == 1 })
            let hook = try #require(receiver.received.first)
            #expect(hook.headers[HTTPField.Name("Shortwave-Event")!] == "message.inbound")
            #expect(signatureIsValid(hook.headers[HTTPField.Name("Shortwave-Signature")!], body: hook.body, secret: account.webhookSecret))
            let message = try #require(hook.json["message"] as? [String: Any])
            #expect(message["body"] as? String == "PONG")
            #expect(message["from"] as? String == "+447700900123")
            #expect(message["to"] as? String == "+447700900555")
            #expect(message["in_reply_to"] as? String == sent.json["id"] as? String)
        }
    }

    @Test func theDemoAccountsKeyWorksOverTheRealListener() async throws {
        let gateway = try await TestGateway.start()
        defer { gateway.removeData() }
        let line = try #require(gateway.prepared.demoAccountLine)
        let key = String(try #require(line.firstMatch(of: /api_key=(\S+)/)).1)
        let sent = try await live(gateway, .post, "/v2/messages", key: key, body: Self.hello)
        #expect(sent.status == 202)
        let problem = try await live(gateway, .post, "/v2/messages", key: key, body: "{")
        #expect(problem.status == 400 && problem.contentType == "application/problem+json")
        try await gateway.stop()
    }
}
