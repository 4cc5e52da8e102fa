import AsyncHTTPClient
import Foundation
import GatewayApp
import GatewayCore
import GatewayHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SMPPClient
import SMPPCore
import SMPPSession
import Testing

/// The admin API (`/admin/v1`) through HummingbirdTesting, with its effects on live SMPP binds.
@Suite struct AdminAPITests {
    /// Runs `body` with a fresh gateway, its admin token and a router client.
    func withAdmin(_ body: @escaping @Sendable (TestGateway, any TestClientProtocol, String) async throws -> Void) async throws {
        try await withGateway { gateway in
            let line = try #require(gateway.prepared.adminTokenLine)
            let token = String(line.dropFirst("admin token: ".count))
            try await Application(router: gateway.prepared.httpAPI.router()).test(.router) { client in try await body(gateway, client, token) }
        }
    }

    @Test func theTokenGuardsEveryAdminRoute() async throws {
        try await withAdmin { gateway, client, token in
            #expect(token.hasPrefix("swadm_") && token.count == 38)
            let none = try await client.call(.get, "/admin/v1/accounts", key: nil)
            #expect(none.status == 401 && none.code == "unauthorized")
            let wrong = try await client.call(.get, "/admin/v1/accounts", key: "swadm_" + String(repeating: "x", count: 32))
            #expect(wrong.status == 401 && wrong.code == "invalid_admin_token")
            // A customer's API key is not an admin token.
            let line = try #require(gateway.prepared.demoAccountLine)
            let apiKey = String(try #require(line.firstMatch(of: /api_key=(\S+)/)).1)
            #expect(try await client.call(.get, "/admin/v1/accounts", key: apiKey).status == 401)
            let listed = try await client.call(.get, "/admin/v1/accounts", key: token)
            #expect(listed.status == 200)
            #expect((listed.json["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["demo"])
        }
    }

    @Test func accountsAreCreatedChangedAndDeletedWithoutARestart() async throws {
        try await withAdmin { gateway, client, token in
            let created = try await client.call(
                .post, "/admin/v1/accounts", key: token,
                body: #"{"system_id":"acme","password":"s3cretPw","api_key":true,"max_binds":2,"senders":["ACME"],"numbers":["447700900555"],"messages_per_second":50}"#)
            #expect(created.status == 201, "\(String(buffer: created.body))")
            #expect(created.headers[.location] == "/admin/v1/accounts/acme")
            #expect(created.json["password"] as? String == "s3cretPw")
            let apiKey = try #require(created.json["api_key"] as? String)
            let account = try #require(created.json["account"] as? [String: Any])
            #expect(account["max_binds"] as? Int == 2 && account["messages_per_second"] as? Int == 50)
            // Live at once: SMPP binds, the API key works, the store has it.
            let connection = try await gateway.connect(systemID: "acme", password: "s3cretPw")
            #expect(try await connection.submit(submit(from: "ACME")).isOK)
            #expect(try await client.call(.post, "/v2/messages", key: apiKey, body: #"{"to":"+447700900123","from":"ACME","body":"hi"}"#).status == 202)
            #expect(try await gateway.gateway.store.accounts().contains { $0.id == "acme" && $0.maxBinds == 2 })
            // A taken system_id or number, an unknown field, a bad value: refused, nothing changed.
            let duplicate = try await client.call(.post, "/admin/v1/accounts", key: token, body: #"{"system_id":"acme"}"#)
            #expect(duplicate.status == 409 && duplicate.code == "account_exists")
            let number = try await client.call(.post, "/admin/v1/accounts", key: token, body: #"{"system_id":"other","numbers":["447700900555"]}"#)
            #expect(number.status == 409 && number.code == "account_exists")
            #expect(gateway.gateway.accounts.account(id: "other") == nil)
            let bad = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"max_binds":5,"window":0}"#)
            #expect(bad.status == 422 && bad.json["field"] as? String == "window")
            #expect(gateway.gateway.accounts.account(id: "acme")?.maxBinds == 2)  // all or nothing
            let unknown = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"colour":"red"}"#)
            #expect(unknown.status == 422 && unknown.code == "unknown_field")
            let ips = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"allowed_ips":["10.0.0.0/33"]}"#)
            #expect(ips.status == 422 && ips.json["field"] as? String == "allowed_ips")
            // Changes apply at once.
            let changed = try await client.call(
                .patch, "/admin/v1/accounts/acme", key: token, body: #"{"max_binds":1,"requests_per_second":1000,"reports":"webhook"}"#)
            #expect(changed.status == 200 && changed.json["max_binds"] as? Int == 1 && changed.json["reports"] as? String == "webhook")
            let second = try? await gateway.connect(systemID: "acme", password: "s3cretPw")
            #expect(second == nil)  // the one live bind is the limit now
            #expect(gateway.gateway.accounts.account(id: "acme")?.reports == .webhook)
            // Deleted: its bind goes, its key stops working, its messages stay.
            await connection.close()
            #expect(try await client.call(.delete, "/admin/v1/accounts/acme", key: token).status == 204)
            #expect(try await client.call(.get, "/admin/v1/accounts/acme", key: token).status == 404)
            #expect(try await client.call(.get, "/v2/account", key: apiKey).status == 401)
            #expect(try await gateway.gateway.store.messages(MessageQuery(accountID: "acme")).messages.count == 2)
        }
    }

    @Test func suspendingUnbindsAndRefusesUntilResumed() async throws {
        try await withAdmin { gateway, client, token in
            _ = try await client.call(.post, "/admin/v1/accounts", key: token, body: #"{"system_id":"acme","password":"pw345678"}"#)
            let connection = try await gateway.connect(systemID: "acme", password: "pw345678")
            #expect(await eventually { gateway.gateway.accounts.bindCount(accountID: "acme") == 1 })
            let binds = try await client.call(.get, "/admin/v1/binds?account=acme", key: token).json["data"] as? [[String: Any]]
            #expect(binds?.count == 1 && binds?.first?["type"] as? String == "transceiver" && binds?.first?["system_id"] as? String == "acme")
            let suspended = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"enabled":false}"#)
            #expect(suspended.json["enabled"] as? Bool == false)
            #expect(await eventually { gateway.gateway.accounts.bindCount(accountID: "acme") == 0 })
            #expect(await eventually { !connection.isActive })
            let refused = try? await gateway.connect(systemID: "acme", password: "pw345678")
            #expect(refused == nil)
            _ = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"enabled":true}"#)
            let again = try await gateway.connect(systemID: "acme", password: "pw345678")
            // One bind unbound by id.
            let id = try #require((try await client.call(.get, "/admin/v1/binds", key: token).json["data"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await client.call(.delete, "/admin/v1/binds/\(id)", key: token).status == 204)
            #expect(await eventually { !again.isActive })
            #expect(try await client.call(.delete, "/admin/v1/binds/999999", key: token).status == 404)
        }
    }

    @Test func passwordsWebhookSecretsAndKeysRotate() async throws {
        try await withAdmin { gateway, client, token in
            _ = try await client.call(.post, "/admin/v1/accounts", key: token, body: #"{"system_id":"acme","password":"oldPass1"}"#)
            let rotated = try await client.call(.post, "/admin/v1/accounts/acme/password", key: token)
            let password = try #require(rotated.json["password"] as? String)
            #expect(password.count == 8)
            #expect((try? await gateway.connect(systemID: "acme", password: "oldPass1")) == nil)
            let connection = try await gateway.connect(systemID: "acme", password: password)
            await connection.close()
            let set = try await client.call(.post, "/admin/v1/accounts/acme/password", key: token, body: #"{"password":"chosen12"}"#)
            #expect(set.json["password"] as? String == "chosen12")
            let tooLong = try await client.call(.post, "/admin/v1/accounts/acme/password", key: token, body: #"{"password":"ninechars"}"#)
            #expect(tooLong.status == 422)
            let before = gateway.gateway.accounts.account(id: "acme")?.webhookSecret
            let secret = try await client.call(.post, "/admin/v1/accounts/acme/webhook-secret", key: token).json["webhook_secret"] as? String
            #expect(secret != nil && secret != before && gateway.gateway.accounts.account(id: "acme")?.webhookSecret == secret)
            let key = try await client.call(.post, "/admin/v1/accounts/acme/keys", key: token, body: #"{"label":"ops"}"#)
            #expect(key.status == 201)
            let text = try #require(key.json["key"] as? String)
            let id = try #require(key.json["id"] as? String)
            #expect(try await client.call(.get, "/v2/account", key: text).status == 200)
            let keys = try await client.call(.get, "/admin/v1/accounts/acme/keys", key: token).json["data"] as? [[String: Any]]
            #expect(keys?.count == 1 && keys?.first?["label"] as? String == "ops" && keys?.first?["key"] == nil)
            #expect(try await client.call(.delete, "/admin/v1/accounts/acme/keys/\(id)", key: token).status == 204)
            #expect(try await client.call(.get, "/v2/account", key: text).status == 401)
        }
    }

    @Test func anAllowListKeepsOtherAddressesOut() async throws {
        try await withAdmin { gateway, client, token in
            let created = try await client.call(
                .post, "/admin/v1/accounts", key: token, body: #"{"system_id":"acme","password":"pw345678","api_key":true,"allowed_ips":["192.0.2.0/24"]}"#)
            let apiKey = try #require(created.json["api_key"] as? String)
            // Loopback is not in 192.0.2.0/24: the bind and the HTTP call are refused.
            #expect((try? await gateway.connect(systemID: "acme", password: "pw345678")) == nil)
            let http = try await live(gateway, .get, "/v2/account", key: apiKey)
            #expect(http.status == 403 && http.code == "address_not_allowed")
            _ = try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"allowed_ips":["127.0.0.0/8","::1"]}"#)
            let connection = try await gateway.connect(systemID: "acme", password: "pw345678")
            await connection.close()
            #expect(try await live(gateway, .get, "/v2/account", key: apiKey).status == 200)
        }
    }

    static let registration = #"""
        {"entities":["1101456789012345678"],
         "headers":[{"header":"SHRTWV","entity_id":"1101456789012345678","category":"transactional"}],
         "templates":[{"id":"1107161234567890123","entity_id":"1101456789012345678","text":"Your OTP is {#var#}. Do not share it.",
                       "headers":["SHRTWV"],"category":"transactional"}]}
        """#

    @Test func dltIsEnforcedOverSMPPAndHTTP() async throws {
        try await withAdmin { gateway, client, token in
            let created = try await client.call(.post, "/admin/v1/accounts", key: token, body: #"{"system_id":"acme","password":"pw345678","api_key":true}"#)
            let apiKey = try #require(created.json["api_key"] as? String)
            // Registrations are checked whole before they replace the old one.
            let broken = try await client.call(
                .put, "/admin/v1/accounts/acme/dlt", key: token, body: Self.registration.replacingOccurrences(of: "{#var#}", with: "{#otp#}"))
            #expect(broken.status == 422 && broken.json["field"] as? String == "templates[0].text")
            let typo = try await client.call(.put, "/admin/v1/accounts/acme/dlt", key: token, body: #"{"entitys":["1"]}"#)
            #expect(typo.status == 422 && typo.code == "unknown_field")
            let registered = try await client.call(.put, "/admin/v1/accounts/acme/dlt", key: token, body: Self.registration)
            #expect(registered.status == 200, "\(String(buffer: registered.body))")
            let read = try await client.call(.get, "/admin/v1/accounts/acme/dlt", key: token).json
            #expect((read["templates"] as? [[String: Any]])?.first?["id"] as? String == "1107161234567890123")

            // HTTP: compliant accepted with its ids; each fault refused with its rule.
            let dlt = #""dlt":{"entity_id":"1101456789012345678","template_id":"1107161234567890123"}"#
            let good = try await client.call(
                .post, "/v2/messages", key: apiKey, body: #"{"to":"+919812345678","from":"SHRTWV","body":"Your OTP is 4821. Do not share it.",\#(dlt)}"#)
            #expect(good.status == 202, "\(String(buffer: good.body))")
            let stored = try #require(try await gateway.gateway.store.message(MessageID(good.json["id"] as! String)!))
            #expect(stored.tlvs.dltPrincipalEntityID == "1101456789012345678" && stored.tlvs.dltContentTemplateID == "1107161234567890123")
            for (body, code) in [
                (#"{"to":"+919812345678","from":"SHRTWV","body":"Your OTP is 4821. Do not share it!",\#(dlt)}"#, "dlt_body_mismatch"),
                (#"{"to":"+919812345678","from":"SHRTWV","body":"Your OTP is 4821. Do not share it."}"#, "dlt_missing_entity_id"),
                (#"{"to":"+919812345678","from":"OTHERS","body":"Your OTP is 4821. Do not share it.",\#(dlt)}"#, "dlt_header_not_registered"),
                (#"{"to":"+919812345678","from":"SHRTWV","body":"x","dlt":{"entity_id":"1101456789012345678","template_id":"1"}}"#, "dlt_unknown_template"),
            ] {
                let refused = try await client.call(.post, "/v2/messages", key: apiKey, body: body)
                #expect(refused.status == 422 && refused.code == code, "\(code): \(String(buffer: refused.body))")
                #expect((refused.json["detail"] as? String)?.contains("DLT") == true)
            }
            // A batch answers each entry with its rule.
            let batch = try await client.call(
                .post, "/v2/messages/batch", key: apiKey,
                body: #"{"from":"SHRTWV","body":"Your OTP is 1. Do not share it.",\#(dlt),"to":["+919812345678","+447700900123"],"messages":[{"to":"+919812345679","body":"wrong"}]}"#)
            #expect(batch.json["accepted"] as? Int == 2)
            let errors = (batch.json["results"] as? [[String: Any]])?.compactMap { $0["error"] as? [String: Any] }
            #expect(errors?.first?["code"] as? String == "dlt_body_mismatch")

            // SMPP: the same rules, answered with 0x45.
            let connection = try await gateway.connect(systemID: "acme", password: "pw345678")
            var tlvs = TLVList()
            tlvs.dltPrincipalEntityID = "1101456789012345678"
            tlvs.dltContentTemplateID = "1107161234567890123"
            func smpp(_ text: String, tlvs: TLVList) -> SubmitSM {
                SubmitSM(
                    source: .init(ton: .alphanumeric, npi: .unknown, "SHRTWV"), destination: .init(ton: .international, npi: .isdn, "919812345678"),
                    shortMessage: ByteBuffer(string: text), tlvs: tlvs)
            }
            #expect(try await connection.submit(smpp("Your OTP is 77. Do not share it.", tlvs: tlvs)).isOK)
            #expect(try await connection.submit(smpp("Your OTP is 77. Do not share it", tlvs: tlvs)).status == CommandStatus(rawValue: 0x45))
            #expect(try await connection.submit(smpp("Your OTP is 77. Do not share it.", tlvs: [])).status == CommandStatus(rawValue: 0x45))
            await connection.close()
        }
    }

    @Test func theAdminDocumentDescribesEveryAdminRoute() async throws {
        try await withAdmin { _, client, token in
            #expect(try await client.call(.get, "/admin/v1/openapi.json", key: nil).status == 401)
            let document = try await client.call(.get, "/admin/v1/openapi.json", key: token).json
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let served: [(String, [String])] = [
                ("/admin/v1/accounts", ["get", "post"]), ("/admin/v1/accounts/{id}", ["get", "patch", "delete"]),
                ("/admin/v1/accounts/{id}/password", ["post"]), ("/admin/v1/accounts/{id}/webhook-secret", ["post"]),
                ("/admin/v1/accounts/{id}/keys", ["get", "post"]), ("/admin/v1/accounts/{id}/keys/{key}", ["delete"]),
                ("/admin/v1/accounts/{id}/balance", ["post"]), ("/admin/v1/accounts/{id}/dlt", ["get", "put"]), ("/admin/v1/binds", ["get"]),
                ("/admin/v1/binds/{id}", ["delete"]), ("/admin/v1/connectors", ["get", "post"]),
                ("/admin/v1/connectors/{name}", ["delete"]), ("/admin/v1/routes", ["get", "put"]), ("/admin/v1/openapi.json", ["get"]),
            ]
            #expect(Set(paths.keys) == Set(served.map(\.0)))
            for (path, methods) in served { #expect(Set(paths[path]!.keys.filter { $0 != "parameters" }) == Set(methods), "\(path)") }
            // Every documented path answers a method it does not take with 405 and its Allow list.
            for (path, methods) in served {
                let concrete = path.replacingOccurrences(of: "{id}", with: "acme").replacingOccurrences(of: "{key}", with: "k")
                    .replacingOccurrences(of: "{name}", with: "n")
                let reply = try await client.call(HTTPRequest.Method("TRACE")!, concrete, key: token)
                #expect(reply.status == 405, "\(path)")
                #expect(Set((reply.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                    .isSuperset(of: methods), "\(path)")
            }
        }
    }

    @Test func racingChangesNeverLoseOne() async throws {
        try await withAdmin { gateway, client, token in
            _ = try await client.call(.post, "/admin/v1/accounts", key: token, body: #"{"system_id":"acme"}"#)
            // Twenty concurrent changes, each of a different field's value: the last state has
            // one of them and the store agrees with the registry.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 1...20 {
                    group.addTask {
                        try await client.call(.patch, "/admin/v1/accounts/acme", key: token, body: #"{"window":\#(index),"max_binds":\#(index)}"#).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            let live = try #require(gateway.gateway.accounts.account(id: "acme"))
            #expect(live.window == live.maxBinds)
            let stored = try #require(try await gateway.gateway.store.accounts().first { $0.id == "acme" })
            #expect(stored.window == live.window && stored.maxBinds == live.maxBinds)
        }
    }
}

/// Issue 15, item 4: the admin API on a listener of its own.
@Suite struct AdminListenerTests {
    @Test func withAnAdminPortTheAdminAPIIsThereAndNotOnTheCustomersListener() async throws {
        try await withGateway(configure: { $0.http.adminPort = 0 }) { gateway in
            let token = String(try #require(gateway.prepared.adminTokenLine).dropFirst("admin token: ".count))
            let adminPort = try #require(gateway.prepared.adminPort)
            let port = await adminPort.value()
            #expect(port > 0 && port != gateway.httpPort)
            // Not on the customers' listener…
            let there = try await live(gateway, .get, "/admin/v1/accounts", key: token)
            #expect(there.status == 404 && there.code == "route_not_found")
            #expect(try await live(gateway, .get, "/metrics", key: "").status == 404)
            // …but on its own, with the token; and the customers' API is not served there.
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/admin/v1/accounts")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let admin = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(admin.status == .ok)
            let customers = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/messages"), timeout: .seconds(10))
            #expect(customers.status == .notFound)
        }
    }
}
