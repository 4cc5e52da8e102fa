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

/// The REST API v2 through HummingbirdTesting (every endpoint and error), on a real gateway.
@Suite struct HTTPAPITests {
    static let hello = #"{"to":"+447700900123","from":"Shortwave","body":"Hello"}"#

    // MARK: sending and reading

    @Test func aMessageIsAcceptedStoredAndReadBackWithItsStatus() async throws {
        try await withAPI { gateway, client, key in
            let sent = try await client.call(
                .post, "/v2/messages", key: key,
                body: #"{"to":"+44 7700 900123","from":"Shortwave","body":"Hello","client_ref":"order-1","validity_period":3600}"#)
            #expect(sent.status == 202)
            #expect(sent.contentType == "application/json")
            let json = sent.json
            let id = try #require(json["id"] as? String)
            #expect(id.count == 16)
            #expect(json["status"] as? String == "queued")
            #expect(json["to"] as? String == "+447700900123")
            #expect(json["from"] as? String == "Shortwave")
            #expect(json["encoding"] as? String == "gsm7")
            #expect(json["segments"] as? Int == 1)
            #expect(json["ingress"] as? String == "http")
            #expect(json["client_ref"] as? String == "order-1")
            #expect(sent.headers[.location] == "/v2/messages/\(id)")
            // Stored before the answer: the store has it now.
            let stored = try #require(try await gateway.gateway.store.message(MessageID(id)!))
            #expect(stored.accountID == "acme" && stored.destination.address == "447700900123")
            let expires = try #require(stored.expiresAt)
            #expect(abs(expires - stored.submittedAt - 3_600_000) < 2_000)
            // The simulator delivers it; GET shows the final status.
            #expect(
                await eventually {
                    (try? await client.call(.get, "/v2/messages/\(id)", key: key).json["status"] as? String) == "delivered"
                })
            let read = try await client.call(.get, "/v2/messages/\(id)", key: key).json
            #expect(read["id"] as? String == id)
            #expect(read["done_at"] is String)
        }
    }

    @Test func longAndUnicodeBodiesAreOneMessageWithTheirSegmentsAndEncoding() async throws {
        try await withAPI { gateway, client, key in
            let long = String(repeating: "a", count: 400)
            let sent = try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"Shortwave","body":"\#(long)"}"#)
            #expect(sent.status == 202)
            #expect(sent.json["segments"] as? Int == 3)  // 153 septets a part
            let stored = try #require(try await gateway.gateway.store.message(MessageID(sent.json["id"] as! String)!))
            #expect(stored.payload.count == 400)  // one message, split for the carrier
            let unicode = try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"Shortwave","body":"Привет 👋"}"#)
            #expect(unicode.status == 202)
            #expect(unicode.json["encoding"] as? String == "ucs2")
            #expect(unicode.json["body"] as? String == "Привет 👋")
            let forced = try await client.call(
                .post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"Shortwave","body":"plain","encoding":"ucs2"}"#)
            #expect(forced.json["encoding"] as? String == "ucs2")
            var account = try #require(gateway.gateway.accounts.account(id: "acme"))
            account.dlt = DLTRegistration(
                entities: ["1101456789012345678"], headers: [.init(header: "SHRTWV", entityID: "1101456789012345678")],
                templates: [.init(id: "1107161234567890123", entityID: "1101456789012345678", text: "Your OTP is {#var#}", category: .transactional)])
            gateway.gateway.accounts.upsert(account)
            let dlt = try await client.call(
                .post, "/v2/messages", key: key,
                body: #"{"to":"+919812345678","from":"SHRTWV","body":"Your OTP is 1234","dlt":{"entity_id":"1101456789012345678","template_id":"1107161234567890123"}}"#
            )
            #expect(dlt.status == 202)
            let dltMessage = try #require(try await gateway.gateway.store.message(MessageID(dlt.json["id"] as! String)!))
            #expect(dltMessage.tlvs.dltPrincipalEntityID == "1101456789012345678")
            #expect(dltMessage.tlvs.dltContentTemplateID == "1107161234567890123")
            #expect((dlt.json["dlt"] as? [String: Any])?["template_id"] as? String == "1107161234567890123")
        }
    }

    // MARK: authentication

    @Test func keysAreCheckedAndCanBeRevoked() async throws {
        try await withAPI { gateway, client, key in
            let none = try await client.call(.get, "/v2/account", key: nil)
            #expect(none.status == 401 && none.code == "unauthorized")
            #expect(none.contentType == "application/problem+json")
            #expect(none.headers[.wwwAuthenticate] == "Bearer")
            let basic = try await client.call(.get, "/v2/account", key: nil, headers: [.authorization: "Basic YWJjOmRlZg=="])
            #expect(basic.status == 401 && basic.code == "unauthorized")
            let garbage = try await client.call(.get, "/v2/account", key: "not-a-key")
            #expect(garbage.status == 401 && garbage.code == "invalid_api_key")
            let forged = try await client.call(.get, "/v2/account", key: String(key.dropLast(4)) + "AAAA")
            #expect(forged.status == 401 && forged.code == "invalid_api_key")
            // A second key, listed without its secret, then revoked with the first.
            let created = try await client.call(.post, "/v2/keys", key: key, body: #"{"label":"ci"}"#)
            #expect(created.status == 201)
            let second = try #require(created.json["key"] as? String)
            let secondID = try #require(created.json["id"] as? String)
            #expect(try await client.call(.get, "/v2/account", key: second).status == 200)
            let listed = try await client.call(.get, "/v2/keys", key: key)
            let keys = try #require(listed.json["data"] as? [[String: Any]])
            #expect(keys.count == 2 && keys.allSatisfy { $0["key"] == nil })
            let own = try await client.call(.delete, "/v2/keys/\(secondID)", key: second)
            #expect(own.status == 409 && own.code == "cannot_revoke_own_key")
            #expect(try await client.call(.delete, "/v2/keys/\(secondID)", key: key).status == 204)
            let revoked = try await client.call(.get, "/v2/account", key: second)
            #expect(revoked.status == 401 && revoked.code == "invalid_api_key")
            #expect(try await client.call(.delete, "/v2/keys/nosuchkey000", key: key).status == 404)
            // Only a hash is stored.
            let stored = try await gateway.gateway.store.apiKeys().filter { $0.accountID == "acme" }
            #expect(stored.count == 2 && stored.allSatisfy { !second.contains(String(decoding: $0.secretHash, as: UTF8.self)) })
            #expect(stored.first { $0.id == secondID }?.revokedAt != nil)
        }
    }

    @Test func aDisabledAccountIsRefused() async throws {
        try await withAPI(account: { try await $0.addAccount(enabled: false) }) { _, client, key in
            let reply = try await client.call(.post, "/v2/messages", key: key, body: Self.hello)
            #expect(reply.status == 403 && reply.code == "account_disabled")
        }
    }

    // MARK: bad input

    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String?
        var contentType: String? = "application/json"
        var status: Int
        var code: String
        var field: String?
        var testDescription: String { self.name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "malformed JSON", body: #"{"to":"+447700900123","from":"Shortwave","body":"Hi""#, status: 400, code: "malformed_json"),
        BadInput(name: "trailing garbage", body: #"{"to":"+447700900123"} x"#, status: 400, code: "malformed_json"),
        BadInput(name: "empty body", body: "", status: 400, code: "empty_body"),
        BadInput(name: "not JSON", body: "to=1", contentType: "application/x-www-form-urlencoded", status: 415, code: "unsupported_media_type"),
        BadInput(name: "an array", body: "[]", status: 422, code: "invalid_field", field: "body"),
        BadInput(name: "missing to", body: #"{"from":"Shortwave","body":"Hi"}"#, status: 422, code: "missing_field", field: "to"),
        BadInput(name: "missing body", body: #"{"to":"+447700900123","from":"Shortwave"}"#, status: 422, code: "missing_field", field: "body"),
        BadInput(name: "wrong type", body: #"{"to":447700900123,"from":"Shortwave","body":"Hi"}"#, status: 422, code: "invalid_field", field: "to"),
        BadInput(name: "unknown field", body: #"{"to":"+447700900123","from":"Shortwave","text":"Hi"}"#, status: 422, code: "unknown_field", field: "text"),
        BadInput(name: "not a number", body: #"{"to":"call me","from":"Shortwave","body":"Hi"}"#, status: 422, code: "invalid_number", field: "to"),
        BadInput(name: "no such country", body: #"{"to":"+999123456789","from":"Shortwave","body":"Hi"}"#, status: 422, code: "invalid_number", field: "to"),
        BadInput(name: "too short", body: #"{"to":"+4412","from":"Shortwave","body":"Hi"}"#, status: 422, code: "invalid_number", field: "to"),
        BadInput(name: "bad sender", body: #"{"to":"+447700900123","from":"This sender is too long","body":"Hi"}"#, status: 422, code: "invalid_sender", field: "from"),
        BadInput(name: "empty text", body: #"{"to":"+447700900123","from":"Shortwave","body":""}"#, status: 422, code: "invalid_field", field: "body"),
        BadInput(name: "gsm7 emoji", body: #"{"to":"+447700900123","from":"Shortwave","body":"👋","encoding":"gsm7"}"#, status: 422, code: "encoding_not_possible", field: "body"),
        BadInput(name: "bad encoding", body: #"{"to":"+447700900123","from":"Shortwave","body":"Hi","encoding":"utf8"}"#, status: 422, code: "invalid_field", field: "encoding"),
        BadInput(name: "too long", body: #"{"to":"+447700900123","from":"Shortwave","body":"\#(String(repeating: "€", count: 1300))"}"#, status: 422, code: "message_too_long", field: "body"),
        BadInput(name: "bad schedule", body: #"{"to":"+447700900123","from":"Shortwave","body":"Hi","schedule_at":"tomorrow"}"#, status: 422, code: "invalid_field", field: "schedule_at"),
        BadInput(name: "bad validity", body: #"{"to":"+447700900123","from":"Shortwave","body":"Hi","validity_period":1.5}"#, status: 422, code: "invalid_field", field: "validity_period"),
        BadInput(name: "bad callback", body: #"{"to":"+447700900123","from":"Shortwave","body":"Hi","callback_url":"ftp://x"}"#, status: 422, code: "invalid_field", field: "callback_url"),
        BadInput(name: "bad dlt", body: #"{"to":"+447700900123","from":"Shortwave","body":"Hi","dlt":{"entity_id":"12ab","template_id":"1"}}"#, status: 422, code: "invalid_field", field: "dlt.entity_id"),
        BadInput(name: "dlt missing template", body: #"{"to":"+447700900123","from":"Shortwave","body":"Hi","dlt":{"entity_id":"1"}}"#, status: 422, code: "missing_field", field: "dlt.template_id"),
    ]

    @Test(arguments: badInputs) func badInputGetsAPreciseProblemAndStoresNothing(_ input: BadInput) async throws {
        try await withAPI { gateway, client, key in
            let reply = try await client.call(.post, "/v2/messages", key: key, body: input.body, contentType: input.contentType)
            #expect(reply.status == input.status, "\(String(buffer: reply.body))")
            #expect(reply.contentType == "application/problem+json")
            let json = reply.json
            #expect(json["code"] as? String == input.code)
            #expect(json["status"] as? Int == input.status)
            #expect(json["type"] as? String == "https://shortwave.dev/problems/\(input.code)")
            #expect((json["detail"] as? String)?.isEmpty == false)
            #expect(json["instance"] as? String == "/v2/messages")
            if let field = input.field { #expect(json["field"] as? String == field) }
            // Nothing was stored, and the API goes on serving.
            #expect(try await gateway.gateway.store.messages(MessageQuery(accountID: "acme")).messages.isEmpty)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: Self.hello).status == 202)
        }
    }

    @Test func aTenMegabyteBodyIsRefusedWithoutReadingIt() async throws {
        try await withAPI { _, client, key in
            let huge = #"{"to":"+447700900123","from":"Shortwave","body":""# + String(repeating: "x", count: 10 << 20) + #""}"#
            let reply = try await client.call(.post, "/v2/messages", key: key, body: huge)
            #expect(reply.status == 413 && reply.code == "body_too_large")
            let batch = try await client.call(.post, "/v2/messages/batch", key: key, body: huge)
            #expect(batch.status == 413 && batch.code == "body_too_large")
        }
    }

    @Test func aSenderTheAccountMayNotUseIsForbidden() async throws {
        try await withAPI(account: { try await $0.addAccount(senders: ["Shortwave", "+447700900999"]) }) { _, client, key in
            let other = try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"Bank","body":"Hi"}"#)
            #expect(other.status == 403 && other.code == "sender_not_allowed" && other.json["field"] as? String == "from")
            #expect(try await client.call(.post, "/v2/messages", key: key, body: Self.hello).status == 202)
            let number = try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"447700900999","body":"Hi"}"#)
            #expect(number.status == 202)
        }
    }

    @Test func routesAndMethodsThatDoNotExistAreProblemsToo() async throws {
        try await withAPI { _, client, key in
            let missing = try await client.call(.get, "/v2/nothing", key: key)
            #expect(missing.status == 404 && missing.code == "route_not_found")
            let method = try await client.call(.put, "/v2/messages", key: key, body: "{}")
            #expect(method.status == 405 && method.code == "method_not_allowed")
            #expect(method.headers[.allow] == "GET, POST")
        }
    }

    @Test func webhooksGoOnlyToTheHostsTheOperatorAllows() async throws {
        try await withAPI(configure: { $0.http.webhookHosts = ["127.0.0.1", "hooks.example.com"] }) { _, client, key in
            let elsewhere = try await client.call(
                .post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"A","body":"B","callback_url":"http://169.254.169.254/latest"}"#)
            #expect(elsewhere.status == 422 && elsewhere.code == "webhook_host_not_allowed" && elsewhere.json["field"] as? String == "callback_url")
            let allowed = try await client.call(
                .post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"A","body":"B","callback_url":"https://Hooks.Example.com:8443/dlr"}"#)
            #expect(allowed.status == 202)
            let account = try await client.call(.patch, "/v2/account", key: key, body: #"{"webhook_url":"http://10.0.0.1/x"}"#)
            #expect(account.status == 422 && account.code == "webhook_host_not_allowed")
        }
    }

    // MARK: another account's message

    @Test func anotherAccountsMessageIsNotFoundNeverLeaked() async throws {
        try await withAPI { gateway, client, key in
            try await gateway.addAccount(id: "other", systemID: "other")
            let (_, otherKey) = try await gateway.prepared.httpAPI.keys.create(accountID: "other")
            let theirs = try await client.call(.post, "/v2/messages", key: otherKey, body: Self.hello).json["id"] as! String
            let read = try await client.call(.get, "/v2/messages/\(theirs)", key: key)
            #expect(read.status == 404 && read.code == "not_found")
            let cancel = try await client.call(.delete, "/v2/messages/\(theirs)", key: key)
            #expect(cancel.status == 404 && cancel.code == "not_found")
            #expect(try await client.call(.get, "/v2/messages/zzz", key: key).status == 404)
            #expect(try await client.call(.get, "/v2/messages", key: key).json["data"] as? [Any] != nil)
            #expect((try await client.call(.get, "/v2/messages", key: key).json["data"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.get, "/v2/messages/\(theirs)", key: otherKey).status == 200)
        }
    }

    // MARK: batch

    @Test func aBatchAnswersEachEntryAndStoresTheValidOnesTogether() async throws {
        try await withAPI { gateway, client, key in
            let body = #"""
                {"from":"Shortwave","body":"Shared text","messages":[
                  {"to":"+447700900001"},
                  {"to":"nope"},
                  {"to":"+447700900002","body":"Own text","client_ref":"b-2"},
                  {"to":"+447700900003","encoding":"klingon"},
                  {"to":"+447700900004","from":"Other"}
                ]}
                """#
            let reply = try await client.call(.post, "/v2/messages/batch", key: key, body: body)
            #expect(reply.status == 202)
            let json = reply.json
            #expect(json["accepted"] as? Int == 3 && json["rejected"] as? Int == 2)
            let results = try #require(json["results"] as? [[String: Any]])
            #expect(results.map { $0["index"] as? Int } == [0, 1, 2, 3, 4])
            #expect((results[1]["error"] as? [String: Any])?["code"] as? String == "invalid_number")
            #expect((results[1]["error"] as? [String: Any])?["field"] as? String == "messages[1].to")
            #expect((results[3]["error"] as? [String: Any])?["field"] as? String == "messages[3].encoding")
            let ids = [0, 2, 4].compactMap { results[$0]["id"] as? String }
            #expect(ids.count == 3)
            for id in ids { #expect(try await gateway.gateway.store.message(MessageID(id)!) != nil) }
            let own = try #require(try await gateway.gateway.store.message(MessageID(ids[1])!))
            #expect(own.text == "Own text" && own.clientReference == "b-2")
            #expect(try await gateway.gateway.store.message(MessageID(ids[0])!)?.text == "Shared text")
            #expect(try await gateway.gateway.store.message(MessageID(ids[2])!)?.source.address == "Other")

            // One body, many recipients.
            let shared = try await client.call(
                .post, "/v2/messages/batch", key: key, body: #"{"from":"Shortwave","body":"Hi all","to":["+447700900010","x","+4915112345678"]}"#)
            #expect(shared.json["accepted"] as? Int == 2)
            let sharedResults = try #require(shared.json["results"] as? [[String: Any]])
            #expect((sharedResults[1]["error"] as? [String: Any])?["field"] as? String == "to[1]")

            let allBad = try await client.call(.post, "/v2/messages/batch", key: key, body: #"{"from":"Shortwave","body":"Hi","to":["x","y"]}"#)
            #expect(allBad.status == 422 && allBad.code == "batch_rejected")
            #expect((allBad.json["errors"] as? [[String: Any]])?.count == 2)
            let empty = try await client.call(.post, "/v2/messages/batch", key: key, body: #"{"messages":[]}"#)
            #expect(empty.status == 422 && empty.code == "missing_field")
            let unknown = try await client.call(.post, "/v2/messages/batch", key: key, body: #"{"mesages":[]}"#)
            #expect(unknown.status == 422 && unknown.code == "unknown_field")
        }
    }

    @Test func aBatchOverTheLimitIsRefusedWhole() async throws {
        try await withAPI(configure: { $0.http.maximumBatch = 100 }) { gateway, client, key in
            let recipients = (0..<101).map { #""+4477009\#(String(format: "%05d", $0))""# }.joined(separator: ",")
            let reply = try await client.call(.post, "/v2/messages/batch", key: key, body: #"{"from":"A","body":"x","to":[\#(recipients)]}"#)
            #expect(reply.status == 413 && reply.code == "batch_too_large")
            #expect(try await gateway.gateway.store.messages(MessageQuery(accountID: "acme")).messages.isEmpty)
            let fits = (0..<100).map { #""+4477009\#(String(format: "%05d", $0))""# }.joined(separator: ",")
            let ok = try await client.call(.post, "/v2/messages/batch", key: key, body: #"{"from":"A","body":"x","to":[\#(fits)]}"#)
            #expect(ok.status == 202 && ok.json["accepted"] as? Int == 100)
        }
    }

    // MARK: listing and cancelling

    @Test func listingPagesNewestFirstAndFilters() async throws {
        try await withAPI { _, client, key in
            var ids: [String] = []
            for index in 0..<5 {
                let to = index % 2 == 0 ? "+447700900001" : "+447700900002"
                let reply = try await client.call(
                    .post, "/v2/messages", key: key, body: #"{"to":"\#(to)","from":"Shortwave","body":"n\#(index)","client_ref":"r\#(index)"}"#)
                ids.append(reply.json["id"] as! String)
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v2/messages?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), key: key).json
                let data = try #require(page["data"] as? [[String: Any]])
                #expect(data.count <= 2)
                seen += data.compactMap { $0["id"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
            let toOne = try await client.call(.get, "/v2/messages?recipient=%2B447700900001", key: key).json["data"] as? [[String: Any]]
            #expect(toOne?.count == 3)
            let byRef = try await client.call(.get, "/v2/messages?client_ref=r3", key: key).json["data"] as? [[String: Any]]
            #expect(byRef?.map { $0["id"] as? String } == [ids[3]])
            #expect(await eventually { (try? await client.call(.get, "/v2/messages?status=delivered", key: key).json["data"] as? [Any])?.count == 5 })
            let queued = try await client.call(.get, "/v2/messages?status=queued", key: key).json["data"] as? [Any]
            #expect(queued?.isEmpty == true)
            let future = try await client.call(.get, "/v2/messages?since=2100-01-01T00:00:00.000000Z", key: key).json["data"] as? [Any]
            #expect(future?.isEmpty == true)
            let past = try await client.call(.get, "/v2/messages?until=2100-01-01T00:00:00Z", key: key).json["data"] as? [Any]
            #expect(past?.count == 5)
            for (query, parameter) in [("limit=0", "limit"), ("status=lost", "status"), ("since=yesterday", "since"), ("until=2026-01-01T00:00:00.00000", "until"), ("cursor=xyz", "cursor"), ("colour=red", "colour")] {
                let bad = try await client.call(.get, "/v2/messages?\(query)", key: key)
                #expect(bad.status == 400 && bad.code == "invalid_query_parameter" && bad.json["field"] as? String == parameter, "\(query)")
            }
        }
    }

    @Test func aScheduledMessageCanBeCancelledOnce() async throws {
        try await withAPI { gateway, client, key in
            let at = Timestamp.string(wallClockMilliseconds() + 3_600_000)
            let sent = try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"Shortwave","body":"Later","schedule_at":"\#(at)"}"#)
            #expect(sent.status == 202)
            #expect(sent.json["scheduled_at"] as? String != nil)
            let id = sent.json["id"] as! String
            let cancelled = try await client.call(.delete, "/v2/messages/\(id)", key: key)
            #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "deleted")
            let again = try await client.call(.delete, "/v2/messages/\(id)", key: key)
            #expect(again.status == 409 && again.code == "not_cancellable")
            #expect(try await gateway.gateway.store.message(MessageID(id)!)?.status == .deleted)
        }
    }

    // MARK: lookup

    @Test func lookupNormalisesNumbersAndCountsSegments() async throws {
        try await withAPI { _, client, key in
            let uk = try await client.call(.get, "/v2/lookup/0044%207700%20900123?text=Hello", key: key).json
            #expect(uk["e164"] as? String == "+447700900123")
            #expect(uk["country"] as? String == "GB" && uk["calling_code"] as? String == "44")
            #expect(uk["national_number"] as? String == "7700900123")
            let text = try #require(uk["text"] as? [String: Any])
            #expect(text["encoding"] as? String == "gsm7" && text["segments"] as? Int == 1)
            let canada = try await client.call(.get, "/v2/lookup/+14165550123", key: key).json
            #expect(canada["country"] as? String == "CA" && canada["text"] == nil)
            let us = try await client.call(.get, "/v2/lookup/+12125550123", key: key).json
            #expect(us["country"] as? String == "US")
            let unicode = try await client.call(.get, "/v2/lookup/+919812345678?text=\(String(repeating: "%E0%A4%85", count: 71))", key: key).json
            #expect((unicode["text"] as? [String: Any])?["encoding"] as? String == "ucs2")
            #expect((unicode["text"] as? [String: Any])?["segments"] as? Int == 2)
            let bad = try await client.call(.get, "/v2/lookup/12", key: key)
            #expect(bad.status == 422 && bad.code == "invalid_number")
        }
    }

    // MARK: idempotency

    @Test func anIdempotencyKeyReplaysTheFirstAnswerEvenAfterARestart() async throws {
        let gateway = try await TestGateway.start()
        defer { gateway.removeData() }
        try await gateway.addAccount()
        let (_, key) = try await gateway.prepared.httpAPI.keys.create(accountID: "acme")
        let headers: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "order-42"]
        let firstID = try await Application(router: gateway.prepared.httpAPI.router()).test(.router) { client -> String in
            let first = try await client.call(.post, "/v2/messages", key: key, body: Self.hello, headers: headers)
            #expect(first.status == 202)
            let firstID = first.json["id"] as! String
            let again = try await client.call(.post, "/v2/messages", key: key, body: Self.hello, headers: headers)
            #expect(again.status == 202 && again.json["id"] as? String == firstID)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let other = try await client.call(.post, "/v2/messages", key: key, body: #"{"to":"+447700900999","from":"A","body":"B"}"#, headers: headers)
            #expect(other.status == 422 && other.code == "idempotency_key_reused")
            let bad = try await client.call(.post, "/v2/messages", key: key, body: Self.hello, headers: [HTTPField.Name("Idempotency-Key")!: ""])
            #expect(bad.status == 400 && bad.code == "invalid_idempotency_key")
            // A refused request leaves the key free.
            let refused = try await client.call(
                .post, "/v2/messages", key: key, body: #"{"to":"x","from":"A","body":"B"}"#, headers: [HTTPField.Name("Idempotency-Key")!: "k2"])
            #expect(refused.status == 422)
            let fixed = try await client.call(
                .post, "/v2/messages", key: key, body: #"{"to":"+447700900123","from":"A","body":"B"}"#, headers: [HTTPField.Name("Idempotency-Key")!: "k2"])
            #expect(fixed.status == 202)
            return firstID
        }
        try await gateway.stop()
        let restarted = try await TestGateway.start(directory: gateway.directory)
        try await Application(router: restarted.prepared.httpAPI.router()).test(.router) { client in
            let replay = try await client.call(.post, "/v2/messages", key: key, body: Self.hello, headers: headers)
            #expect(replay.status == 202 && replay.json["id"] as? String == firstID)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
        }
        #expect(try await restarted.gateway.store.messages(MessageQuery(accountID: "acme")).messages.count == 2)
        try await restarted.stop()
    }

    // MARK: limits

    @Test func aKeyOverItsRequestRateGets429WithRateLimitHeaders() async throws {
        try await withAPI(account: { try await $0.addAccount(requestsPerSecond: 3) }) { _, client, key in
            // A burst of a second's worth passes; the bucket refills at 3 a second, so a run of
            // requests soon finds it empty whatever the machine's speed.
            var statuses: [Int] = []
            var last: Reply?
            for _ in 0..<50 {
                let reply = try await client.call(.get, "/v2/account", key: key)
                statuses.append(reply.status)
                last = reply
                if reply.status == 429 { break }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 })
            let limited = try #require(last)
            #expect(limited.status == 429 && limited.code == "rate_limited")
            #expect(limited.headers[.retryAfter] == "1")
            #expect(limited.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(limited.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            try await Task.sleep(for: .milliseconds(1_100))
            let again = try await client.call(.get, "/v2/account", key: key)
            #expect(again.status == 200)
            #expect(again.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
        }
    }

    @Test func anAccountOverItsMessageRateGets429() async throws {
        // A manual clock: the two-a-second bucket refills only when the test moves time on, so
        // a slow machine cannot let the third message through.
        let clock = ManualGatewayClock()
        try await withAPI(clock: clock, account: { try await $0.addAccount(messagesPerSecond: 2) }) { _, client, key in
            var codes: [String?] = []
            for _ in 0..<4 { codes.append(try await client.call(.post, "/v2/messages", key: key, body: Self.hello).code) }
            #expect(codes == [nil, nil, "throughput_exceeded", "throughput_exceeded"])
            clock.advance(by: .milliseconds(500))
            #expect(try await client.call(.post, "/v2/messages", key: key, body: Self.hello).code == nil)
            #expect(try await client.call(.post, "/v2/messages", key: key, body: Self.hello).code == "throughput_exceeded")
        }
    }

    // MARK: the document and health

    @Test func theOpenAPIDocumentDescribesEveryRoute() async throws {
        try await withAPI { _, client, _ in
            let reply = try await client.call(.get, "/v2/openapi.json", key: nil)
            #expect(reply.status == 200)
            let document = reply.json
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let served: [(String, [String])] = [
                ("/v2/messages", ["get", "post"]), ("/v2/messages/batch", ["post"]), ("/v2/messages/{id}", ["get", "delete"]),
                ("/v2/lookup/{number}", ["get"]), ("/v2/account", ["get", "patch"]), ("/v2/keys", ["get", "post"]), ("/v2/keys/{id}", ["delete"]),
                ("/v2/openapi.json", ["get"]), ("/health/live", ["get"]), ("/health/ready", ["get"]),
            ]
            #expect(Set(paths.keys) == Set(served.map(\.0)))
            for (path, methods) in served {
                #expect(Set(paths[path]!.keys.filter { $0 != "parameters" }) == Set(methods), "\(path)")
            }
            let codes = try #require(
                ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]).flatMap {
                    (($0["Problem"] as? [String: Any])?["properties"] as? [String: Any])?["code"] as? [String: Any]
                }?["enum"] as? [String])
            for code in ["malformed_json", "invalid_number", "sender_not_allowed", "idempotency_key_reused", "rate_limited", "not_found"] {
                #expect(codes.contains(code))
            }
        }
    }

    @Test func livenessAndReadiness() async throws {
        try await withAPI { _, client, _ in
            #expect(try await client.call(.get, "/health/live", key: nil).json["status"] as? String == "ok")
            let ready = try await client.call(.get, "/health/ready", key: nil)
            #expect(ready.status == 200 && ready.json["status"] as? String == "ready")
        }
    }

    @Test func theAccountShowsItsSettingsAndTakesWebhookURLs() async throws {
        try await withAPI { gateway, client, key in
            let account = try await client.call(.get, "/v2/account", key: key).json
            #expect(account["id"] as? String == "acme")
            #expect((account["webhook_secret"] as? String)?.hasPrefix("whsec_") == true)
            let set = try await client.call(
                .patch, "/v2/account", key: key, body: #"{"webhook_url":"https://example.com/dlr","mo_webhook_url":"https://example.com/mo"}"#)
            #expect(set.status == 200 && set.json["webhook_url"] as? String == "https://example.com/dlr")
            #expect(gateway.gateway.accounts.account(id: "acme")?.moWebhookURL == "https://example.com/mo")
            #expect(try await gateway.gateway.store.accounts().first { $0.id == "acme" }?.webhookURL == "https://example.com/dlr")
            let bad = try await client.call(.patch, "/v2/account", key: key, body: #"{"webhook_url":"example.com"}"#)
            #expect(bad.status == 422 && bad.code == "invalid_field")
            let unknown = try await client.call(.patch, "/v2/account", key: key, body: #"{"password":"x"}"#)
            #expect(unknown.status == 422 && unknown.code == "unknown_field")
            let cleared = try await client.call(.patch, "/v2/account", key: key, body: #"{"webhook_url":null}"#)
            #expect(cleared.json["webhook_url"] is NSNull)
        }
    }
}
