import Foundation
import HTTPTypes
import GatewayCore
import Hummingbird
import NIOCore
import SMPPCore

extension HTTPAPI {
    // MARK: /v2/account, /v2/keys

    func accountResponse(_ account: Account) throws -> Response {
        var json = JSONWriter()
        json.beginObject()
        json.key("id")
        json.string(account.id)
        json.key("system_id")
        json.string(account.systemID)
        json.key("senders")
        json.beginArray()
        for sender in account.senders { json.string(sender) }
        json.endArray()
        json.key("numbers")
        json.beginArray()
        for number in account.numbers { json.string(number) }
        json.endArray()
        json.key("requests_per_second")
        json.int(account.requestsPerSecond.map(Int64.init))
        json.key("messages_per_second")
        json.int(account.messagesPerSecond.map(Int64.init))
        json.key("webhook_url")
        json.string(account.webhookURL)
        json.key("mo_webhook_url")
        json.string(account.moWebhookURL)
        json.key("webhook_secret")
        json.string(account.webhookSecret)
        json.key("billing")
        json.string(account.billing.mode.rawValue)
        json.key("currency")
        json.string(account.billing.currency)
        json.key("balance")
        json.int(self.gateway.ledger.balance(account.id))
        json.endObject()
        return Self.json(.ok, json.bytes)
    }

    func updateAccount(_ request: Request, _ context: APIContext) async throws -> Response {
        var (account, _) = try context.caller()
        let (json, _) = try await self.jsonBody(request, limit: self.configuration.singleBodyLimit)
        guard case .object(let members) = json else { throw Problem.invalidField("body", "expected a JSON object, got \(json.typeName)") }
        for (name, value) in members {
            switch (name, value) {
            case ("webhook_url", .null): account.webhookURL = nil
            case ("mo_webhook_url", .null): account.moWebhookURL = nil
            case ("webhook_url", .string(let url)), ("mo_webhook_url", .string(let url)):
                if let problem = self.configuration.webhookTargets.problem(url: url, field: name) { throw problem }
                if name == "webhook_url" { account.webhookURL = url } else { account.moWebhookURL = url }
            case ("webhook_url", _), ("mo_webhook_url", _):
                throw Problem.invalidField(name, "`\(name)` must be a URL string or null, not \(value.typeName)")
            default:
                throw Problem.unknownField(name)
            }
        }
        try await self.gateway.store.save(account)
        self.gateway.accounts.upsert(account)
        return try self.accountResponse(account)
    }

    func listKeys(_ context: APIContext) throws -> Response {
        let (account, _) = try context.caller()
        return self.keyList(accountID: account.id)
    }

    /// `{"data": [keys]}` of an account (never their secrets): the customer's and the admin API's.
    func keyList(accountID: String) -> Response {
        var json = JSONWriter()
        json.beginObject()
        json.key("data")
        json.beginArray()
        for key in self.keys.keys(accountID: accountID) { Self.write(key, text: nil, into: &json) }
        json.endArray()
        json.endObject()
        return Self.json(.ok, json.bytes)
    }

    static func write(_ key: APIKey, text: String?, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.string(key.id)
        if let text {
            json.key("key")
            json.string(text)
        }
        json.key("label")
        json.string(key.label)
        json.key("created_at")
        json.timestamp(key.createdAt)
        json.key("revoked_at")
        json.timestamp(key.revokedAt)
        json.endObject()
    }

    func createKey(_ request: Request, _ context: APIContext) async throws -> Response {
        let (account, _) = try context.caller()
        var label = ""
        if let length = request.headers[.contentLength], length == "0" {
            // No body: a key without a label.
        } else {
            let (json, _) = try await self.jsonBody(request, limit: self.configuration.singleBodyLimit)
            guard case .object(let members) = json else { throw Problem.invalidField("body", "expected a JSON object, got \(json.typeName)") }
            for (name, value) in members {
                guard name == "label" else { throw Problem.unknownField(name) }
                guard case .string(let text) = value, text.utf8.count <= 100 else {
                    throw Problem.invalidField("label", "`label` must be a string of at most 100 bytes")
                }
                label = text
            }
        }
        let (key, text) = try await self.keys.create(accountID: account.id, label: label)
        var json = JSONWriter()
        Self.write(key, text: text, into: &json)
        return Self.json(.created, json.bytes)
    }

    func revokeKey(_ request: Request, _ context: APIContext) async throws -> Response {
        let (account, current) = try context.caller()
        let id = context.parameters.get("id") ?? ""
        // Revoking the key that makes the call would lock the caller out mid-way: revoke it with another key.
        guard id != current.id else { throw Problem.cannotRevokeOwnKey() }
        guard try await self.keys.revoke(id: id, accountID: account.id) else { throw Problem.notFound("no API key \(id) in this account") }
        return Response(status: .noContent)
    }
}
