import Foundation
import GatewayCore
import Hummingbird
import NIOCore

extension HTTPAPI {
    /// /admin/v1/accounts: list, create, read, change, delete.
    func addAdminAccountRoutes(to group: RouterGroup<APIContext>, admin: AdminAPI) {
        group.get("/accounts") { _, _ in
            var json = JSONWriter()
            json.beginObject()
            json.key("data")
            json.beginArray()
            for account in self.gateway.accounts.all.sorted(by: { $0.id < $1.id }) { self.writeAdmin(account, admin: admin, into: &json) }
            json.endArray()
            json.endObject()
            return Self.json(.ok, json.bytes)
        }
        group.post("/accounts") { request, _ in try await admin.serial.run { try await self.createAccount(request, admin: admin) } }
        group.get("/accounts/:id") { _, context in
            let account = try self.existing(context)
            var json = JSONWriter()
            self.writeAdmin(account, admin: admin, into: &json)
            return Self.json(.ok, json.bytes)
        }
        group.patch("/accounts/:id") { request, context in
            try await admin.serial.run { try await self.updateAccount(request, context, admin: admin) }
        }
        group.delete("/accounts/:id") { _, context in
            try await admin.serial.run {
                let account = try self.existing(context)
                self.gateway.accounts.remove(id: account.id)
                admin.binds.unbindAll(accountID: account.id)
                _ = try await self.gateway.store.delete(accountID: account.id)
                for key in self.keys.keys(accountID: account.id) { _ = try await self.keys.revoke(id: key.id, accountID: account.id) }
                return Response(status: .noContent)
            }
        }
    }

    func existing(_ context: APIContext) throws -> Account {
        let id = context.parameters.get("id") ?? ""
        guard let account = self.gateway.accounts.account(id: id) else { throw Problem.notFound("no account \(id)") }
        return account
    }

    func save(_ account: Account) async throws {
        try await self.gateway.store.save(account)
        self.gateway.accounts.upsert(account)
    }

    /// One string field of an optional JSON object body.
    func optionalString(_ request: Request, field: String) async throws -> String? {
        guard request.headers[.contentLength] != "0" else { return nil }
        let buffer = try await request.body.collect(upTo: self.configuration.singleBodyLimit)
        guard buffer.readableBytes > 0 else { return nil }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(buffer.readableBytesView))
        } catch {
            throw Problem.malformedJSON("the body is not valid JSON: \(error.description)")
        }
        guard case .object(let members) = json else { throw Problem.invalidField("body", "expected a JSON object, got \(json.typeName)") }
        for (name, value) in members {
            guard name == field else { throw Problem.unknownField(name) }
            guard case .string(let text) = value else { throw Problem.invalidField(name, "`\(name)` must be a string, not \(value.typeName)") }
            return text
        }
        return nil
    }

    func writeAdmin(_ account: Account, admin: AdminAPI, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.string(account.id)
        json.key("system_id")
        json.string(account.systemID)
        json.key("enabled")
        json.bool(account.enabled)
        json.key("allowed_binds")
        json.beginArray()
        for kind in Account.BindKind.allCases where account.allowedBinds.contains(kind) { json.string(kind.rawValue) }
        json.endArray()
        json.key("max_binds")
        json.int(account.maxBinds)
        json.key("binds")
        json.int(self.gateway.accounts.bindCount(accountID: account.id))
        json.key("window")
        json.int(account.window)
        json.key("messages_per_second")
        json.int(account.messagesPerSecond.map(Int64.init))
        json.key("requests_per_second")
        json.int(account.requestsPerSecond.map(Int64.init))
        for (name, list) in [("senders", account.senders), ("numbers", account.numbers), ("allowed_ips", account.allowedIPs.entries)] {
            json.key(dynamic: name)
            json.beginArray()
            for item in list { json.string(item) }
            json.endArray()
        }
        json.key("webhook_url")
        json.string(account.webhookURL)
        json.key("mo_webhook_url")
        json.string(account.moWebhookURL)
        json.key("webhook_secret")
        json.string(account.webhookSecret)
        json.key("reports")
        json.string(account.reports.rawValue)
        json.key("billing")
        json.raw(Array((try? JSONEncoder.sorted.encode(account.billing)) ?? Data("{}".utf8)))
        json.key("balance")
        json.int(self.gateway.ledger.balance(account.id))
        json.key("created_at")
        json.timestamp(account.createdAt)
        json.endObject()
    }

    static let accountFields: Set<String> = [
        "enabled", "system_id", "allowed_binds", "max_binds", "window", "messages_per_second", "requests_per_second", "senders", "numbers",
        "allowed_ips", "webhook_url", "mo_webhook_url", "reports", "billing",
    ]

    /// Applies the fields of `members` to `account`; every field is checked before anything
    /// changes (the caller saves only a fully valid result).
    func apply(_ members: [(String, JSONValue)], to account: inout Account) throws {
        func integer(_ name: String, _ value: JSONValue, _ range: ClosedRange<Int>) throws -> Int {
            guard case .number(let number) = value, number == number.rounded(), number >= Double(range.lowerBound), number <= Double(range.upperBound)
            else { throw Problem.invalidField(name, "`\(name)` must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return Int(number)
        }
        func strings(_ name: String, _ value: JSONValue) throws -> [String] {
            guard case .array(let items) = value else { throw Problem.invalidField(name, "`\(name)` must be an array of strings") }
            return try items.map { item in
                guard case .string(let text) = item, !text.isEmpty, !text.contains(",") else {
                    throw Problem.invalidField(name, "`\(name)` must be an array of non-empty strings without commas")
                }
                return text
            }
        }
        func url(_ name: String, _ value: JSONValue) throws -> String? {
            switch value {
            case .null: return nil
            case .string(let text):
                if let problem = self.configuration.webhookTargets.problem(url: text, field: name) { throw problem }
                return text
            default: throw Problem.invalidField(name, "`\(name)` must be a URL string or null")
            }
        }
        for (name, value) in members {
            switch name {
            case "enabled":
                guard case .bool(let enabled) = value else { throw Problem.invalidField(name, "`enabled` must be true or false") }
                account.enabled = enabled
            case "system_id":
                guard case .string(let id) = value, (1...15).contains(id.utf8.count), id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                    throw Problem.invalidField(name, "`system_id` is 1–15 printable ASCII characters (SMPP v3.4 §5.2.1)")
                }
                if let other = self.gateway.accounts.account(systemID: id), other.id != account.id {
                    throw Problem.accountExists("system_id \(id) belongs to account \(other.id)")
                }
                account.systemID = id
            case "allowed_binds":
                let kinds = try strings(name, value)
                let parsed = kinds.compactMap(Account.BindKind.init(rawValue:))
                guard parsed.count == kinds.count, !parsed.isEmpty else {
                    throw Problem.invalidField(name, "`allowed_binds` lists transmitter, receiver and/or transceiver")
                }
                account.allowedBinds = Set(parsed)
            case "max_binds": account.maxBinds = try integer(name, value, 1...1_000)
            case "window": account.window = try integer(name, value, 1...10_000)
            case "messages_per_second": account.messagesPerSecond = value == .null ? nil : try integer(name, value, 1...10_000_000)
            case "requests_per_second": account.requestsPerSecond = value == .null ? nil : try integer(name, value, 1...10_000_000)
            case "senders":
                let senders = try strings(name, value)
                for sender in senders where SendRequest.sender(sender) == nil { throw Problem.invalidSender(name, sender) }
                account.senders = senders
            case "numbers":
                let numbers = try strings(name, value)
                for number in numbers where !number.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == UInt8(ascii: "+") }) {
                    throw Problem.invalidField(name, "`\(number)` is not a number or short code (digits, optionally after +)")
                }
                for number in numbers {
                    if let owner = self.gateway.accounts.owner(of: number), owner.id != account.id {
                        throw Problem.accountExists("number \(number) belongs to account \(owner.id)")
                    }
                }
                account.numbers = numbers
            case "allowed_ips":
                do {
                    account.allowedIPs = try IPAllowList(try strings(name, value))
                } catch let error as IPAllowList.InvalidEntry {
                    throw Problem.invalidField(name, error.description)
                }
            case "webhook_url": account.webhookURL = try url(name, value)
            case "mo_webhook_url": account.moWebhookURL = try url(name, value)
            case "reports":
                guard case .string(let text) = value, let reports = Account.ReportDestination(rawValue: text) else {
                    throw Problem.invalidField(name, "`reports` is smpp, webhook or both")
                }
                account.reports = reports
            case "billing":
                guard case .object(let fields) = value else { throw Problem.invalidField(name, "`billing` is an object") }
                var billing = account.billing
                for (field, setting) in fields {
                    switch (field, setting) {
                    case ("mode", .string(let text)):
                        guard let mode = Billing.Mode(rawValue: text) else { throw Problem.invalidField("billing.mode", "prepaid or postpaid") }
                        billing.mode = mode
                    case ("currency", .string(let text)): billing.currency = text
                    case ("default_rate", .number): billing.defaultRate = Int64(try integer("billing.default_rate", setting, 0...1_000_000_000))
                    case ("rates", .object(let rates)):
                        var card: [String: Int64] = [:]
                        for (prefix, rate) in rates {
                            guard card[prefix] == nil else { throw Problem.invalidField("billing.rates", "prefix \(prefix) is given twice") }
                            card[prefix] = Int64(try integer("billing.rates.\(prefix)", rate, 0...1_000_000_000))
                        }
                        billing.rates = card
                    case ("mode", _), ("currency", _), ("default_rate", _), ("rates", _):
                        throw Problem.invalidField("billing.\(field)", "`billing.\(field)` has the wrong type")
                    default:
                        throw Problem.unknownField("billing.\(field)")
                    }
                }
                if let (field, reason) = billing.problem() { throw Problem.invalidField("billing.\(field)", reason) }
                account.billing = billing
            default:
                throw Problem.unknownField(name)
            }
        }
    }

    func createAccount(_ request: Request, admin: AdminAPI) async throws -> Response {
        let (json, _) = try await self.jsonBody(request, limit: self.configuration.singleBodyLimit)
        guard case .object(let members) = json else { throw Problem.invalidField("body", "expected a JSON object, got \(json.typeName)") }
        guard case .string(let systemID)? = json["system_id"] else { throw Problem.missingField("system_id") }
        var id = systemID
        if let given = json["id"] {
            guard case .string(let text) = given, (1...64).contains(text.utf8.count),
                text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D || $0 == 0x5F })
            else { throw Problem.invalidField("id", "`id` is 1–64 letters, digits, - or _") }
            id = text
        }
        guard self.gateway.accounts.account(id: id) == nil else { throw Problem.accountExists("an account \(id) exists") }
        var password = Credentials.random(length: 8)
        if let given = json["password"] {
            guard case .string(let text) = given else { throw Problem.invalidField("password", "`password` must be a string") }
            if let problem = Credentials.passwordProblem(text) { throw Problem.invalidField("password", problem) }
            password = text
        }
        var wantsKey = false
        if let given = json["api_key"] {
            guard case .bool(let flag) = given else { throw Problem.invalidField("api_key", "`api_key` must be true or false") }
            wantsKey = flag
        }
        var account = Account(id: id, systemID: "", password: PasswordHash(password: password))
        try self.apply(members.filter { !["id", "password", "api_key"].contains($0.0) }, to: &account)
        guard !account.systemID.isEmpty else { throw Problem.missingField("system_id") }
        try await self.save(account)
        var out = JSONWriter()
        out.beginObject()
        out.key("account")
        self.writeAdmin(account, admin: admin, into: &out)
        out.key("password")
        out.string(password)
        if wantsKey {
            let (_, text) = try await self.keys.create(accountID: account.id, label: "created with the account")
            out.key("api_key")
            out.string(text)
        }
        out.endObject()
        return Self.json(.created, out.bytes, headers: [.location: "/admin/v1/accounts/\(account.id)"])
    }

    func updateAccount(_ request: Request, _ context: APIContext, admin: AdminAPI) async throws -> Response {
        var account = try self.existing(context)
        let (json, _) = try await self.jsonBody(request, limit: self.configuration.singleBodyLimit)
        guard case .object(let members) = json else { throw Problem.invalidField("body", "expected a JSON object, got \(json.typeName)") }
        let wasEnabled = account.enabled
        try self.apply(members, to: &account)
        try await self.save(account)
        // Suspended: its sessions go now (an unbind each), and new binds and calls are refused.
        if wasEnabled && !account.enabled { admin.binds.unbindAll(accountID: account.id) }
        var out = JSONWriter()
        self.writeAdmin(account, admin: admin, into: &out)
        return Self.json(.ok, out.bytes)
    }
}
