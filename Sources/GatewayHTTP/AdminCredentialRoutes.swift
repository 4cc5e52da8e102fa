import Foundation
import GatewayCore
import Hummingbird
import NIOCore

extension HTTPAPI {
    /// An account's credentials: SMPP password, webhook secret, API keys.
    func addAdminCredentialRoutes(to group: RouterGroup<APIContext>, admin: AdminAPI) {
        group.post("/accounts/:id/password") { request, context in
            try await admin.serial.run {
                var account = try self.existing(context)
                let password = try await self.optionalString(request, field: "password") ?? Credentials.random(length: 8)
                if let problem = Credentials.passwordProblem(password) { throw Problem.invalidField("password", problem) }
                account.password = PasswordHash(password: password)
                try await self.save(account)
                var json = JSONWriter()
                json.beginObject()
                json.key("password")
                json.string(password)
                json.endObject()
                return Self.json(.ok, json.bytes)
            }
        }
        group.post("/accounts/:id/webhook-secret") { _, context in
            try await admin.serial.run {
                var account = try self.existing(context)
                account.webhookSecret = "whsec_" + Credentials.random(length: 32)
                try await self.save(account)
                var json = JSONWriter()
                json.beginObject()
                json.key("webhook_secret")
                json.string(account.webhookSecret)
                json.endObject()
                return Self.json(.ok, json.bytes)
            }
        }
        group.get("/accounts/:id/keys") { _, context in self.keyList(accountID: try self.existing(context).id) }
        group.post("/accounts/:id/keys") { request, context in
            let account = try self.existing(context)
            let label = try await self.optionalString(request, field: "label") ?? ""
            guard label.utf8.count <= 100 else { throw Problem.invalidField("label", "`label` may be at most 100 bytes") }
            let (key, text) = try await self.keys.create(accountID: account.id, label: label)
            var json = JSONWriter()
            Self.write(key, text: text, into: &json)
            return Self.json(.created, json.bytes)
        }
        group.delete("/accounts/:id/keys/:key") { _, context in
            let account = try self.existing(context)
            let id = context.parameters.get("key") ?? ""
            guard try await self.keys.revoke(id: id, accountID: account.id) else { throw Problem.notFound("no API key \(id) in account \(account.id)") }
            return Response(status: .noContent)
        }
    }
}
