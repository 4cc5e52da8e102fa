import Foundation
import GatewayCore
import Hummingbird
import NIOCore

extension HTTPAPI {
    /// An account's balance and DLT registrations.
    func addAdminBillingRoutes(to group: RouterGroup<APIContext>, admin: AdminAPI) {
        group.post("/accounts/:id/balance") { request, context in
            try await admin.serial.run {
                let account = try self.existing(context)
                let (json, _) = try await self.jsonBody(request, limit: self.configuration.singleBodyLimit)
                guard case .object(let members) = json else { throw Problem.invalidField("body", "expected {\"amount\": minor units}") }
                for (name, _) in members where name != "amount" { throw Problem.unknownField(name) }
                guard case .number(let number)? = json["amount"], number == number.rounded(), number != 0, abs(number) <= 1e15 else {
                    throw Problem.invalidField("amount", "`amount` is a whole number of minor units, not 0 (below zero to take)")
                }
                let amount = Int64(number)
                // Taken from the live balance first (never below zero for prepaid), then stored.
                guard let balance = self.gateway.ledger.adjust(account.id, by: amount, prepaid: account.billing.mode == .prepaid) else {
                    throw Problem.invalidField("amount", "a prepaid balance may not go below zero")
                }
                do {
                    try await self.gateway.store.adjustBalance(accountID: account.id, by: amount)
                } catch {
                    self.gateway.ledger.credit(account.id, -amount)
                    throw error
                }
                var out = JSONWriter()
                out.beginObject()
                out.key("balance")
                out.int(balance)
                out.key("currency")
                out.string(account.billing.currency)
                out.endObject()
                return Self.json(.ok, out.bytes)
            }
        }
        group.get("/accounts/:id/dlt") { _, context in
            let account = try self.existing(context)
            return Self.json(.ok, Array(try JSONEncoder.sorted.encode(account.dlt)))
        }
        group.put("/accounts/:id/dlt") { request, context in
            try await admin.serial.run {
                var account = try self.existing(context)
                let buffer = try await request.body.collect(upTo: self.configuration.batchBodyLimit)
                let registration: DLTRegistration
                let json: JSONValue
                do {
                    json = try JSONValue.parse(Array(buffer.readableBytesView))
                } catch let error as JSONValue.SyntaxError {
                    throw Problem.malformedJSON("the body is not valid JSON: \(error.description)")
                }
                // Codable would skip a misspelt key silently: every key is checked first.
                let known: [String: Set<String>] = [
                    "": ["entities", "headers", "templates"], "headers": ["header", "entity_id", "category"],
                    "templates": ["id", "entity_id", "text", "headers", "category"],
                ]
                guard case .object(let members) = json else { throw Problem.invalidField("body", "expected a JSON object") }
                for (name, value) in members {
                    guard known[""]!.contains(name) else { throw Problem.unknownField(name) }
                    guard case .array(let items) = value, let fields = known[name] else { continue }
                    for (index, item) in items.enumerated() {
                        guard case .object(let itemMembers) = item else { continue }
                        for (field, _) in itemMembers where !fields.contains(field) { throw Problem.unknownField("\(name)[\(index)].\(field)") }
                    }
                }
                do {
                    registration = try JSONDecoder().decode(DLTRegistration.self, from: Data(buffer.readableBytesView))
                } catch let DecodingError.keyNotFound(key, context) {
                    throw Problem.missingField(Self.path(context.codingPath + [key]))
                } catch let DecodingError.typeMismatch(_, context) {
                    throw Problem.invalidField(Self.path(context.codingPath), context.debugDescription)
                } catch let DecodingError.dataCorrupted(context) {
                    throw Problem.invalidField(Self.path(context.codingPath), context.debugDescription)
                } catch let DecodingError.valueNotFound(_, context) {
                    throw Problem.invalidField(Self.path(context.codingPath), "a value is missing (null)")
                } catch {
                    throw Problem.invalidField("body", "not a DLT registration: \(error)")
                }
                do {
                    try registration.validate()
                } catch let error as DLTRegistration.Invalid {
                    throw Problem.invalidField(error.field, error.reason)
                }
                account.dlt = registration
                try await self.save(account)
                return Self.json(.ok, Array(try JSONEncoder.sorted.encode(account.dlt)))
            }
        }
    }
}
