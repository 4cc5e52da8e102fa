import Crypto
import Foundation
public import GatewayCore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The operator's API (`/admin/v1/…`, its own token): accounts, their credentials, limits,
/// senders, numbers, address allow-lists, webhooks and report destinations, API keys, and the
/// live binds. Changes take effect at once (the registry is updated with the store); suspending
/// or deleting an account unbinds its sessions. Mutations run one at a time, so two racing
/// requests never interleave a read-modify-write.
public struct AdminAPI: Sendable {
    /// SHA-256 of the admin token.
    public let tokenHash: [UInt8]
    public let binds: any BindDirectory
    /// The metrics in Prometheus' text format, for `/metrics` (none: no endpoint).
    public let metrics: (@Sendable () -> [UInt8])?
    /// The upstream connectors and routes, for `/admin/v1/connectors` and `/admin/v1/routes`.
    public let connectors: (any ConnectorDirectory)?
    let serial = SerialQueue()

    public init(
        tokenHash: [UInt8], binds: any BindDirectory, metrics: (@Sendable () -> [UInt8])? = nil, connectors: (any ConnectorDirectory)? = nil
    ) {
        self.tokenHash = tokenHash
        self.binds = binds
        self.metrics = metrics
        self.connectors = connectors
    }

    public static func hash(token: some StringProtocol) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

    /// A new admin token (`swadm_` and 32 random characters).
    public static func makeToken() -> String { "swadm_" + Credentials.random(length: 32) }
}

/// Runs async bodies one after another (an async mutex, first come first served).
final class SerialQueue: Sendable {
    let state = Mutex<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await withCheckedContinuation { continuation in
            let now = self.state.withLock { state -> Bool in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        defer {
            let next = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.waiting.isEmpty {
                    state.busy = false
                    return nil
                }
                return state.waiting.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}

/// `Authorization: Bearer <admin token>` on every admin route.
struct AdminAuthentication: RouterMiddleware {
    typealias Context = APIContext
    let admin: AdminAPI

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.utf8.count > 7,
            header.utf8.prefix(6).elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
        else {
            throw Problem.unauthorized("send the admin token as `Authorization: Bearer <token>`")
        }
        guard constantTimeEqual(AdminAPI.hash(token: header.dropFirst(7).trimmingCharacters(in: " ")), self.admin.tokenHash) else {
            throw Problem(.unauthorized, "invalid_admin_token", "Invalid admin token", detail: "this is not the admin token of this gateway",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next(request, context)
    }
}

extension Problem {
    static func accountExists(_ what: String) -> Problem {
        Problem(.conflict, "account_exists", "The account exists", detail: what)
    }
}

extension HTTPAPI {
    func addAdminRoutes(to router: Router<APIContext>, admin: AdminAPI) {
        if let metrics = admin.metrics {
            // Prometheus scrapes with the admin token (`authorization: {credentials: …}`).
            router.group("/metrics").add(middleware: AdminAuthentication(admin: admin)).get { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics())))
            }
        }
        let group = router.group("/admin/v1").add(middleware: AdminAuthentication(admin: admin))
        group.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.admin)))
        }
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
        group.post("/accounts/:id/password") { request, context in
            try await admin.serial.run {
                var account = try self.existing(context)
                let password = try await self.optionalString(request, field: "password") ?? Credentials.random(length: 8)
                guard (1...8).contains(password.utf8.count), password.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                    throw Problem.invalidField("password", "an SMPP password is 1–8 printable ASCII characters")
                }
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
        group.get("/accounts/:id/keys") { _, context in
            let account = try self.existing(context)
            var json = JSONWriter()
            json.beginObject()
            json.key("data")
            json.beginArray()
            for key in self.keys.keys(accountID: account.id) { Self.write(key, text: nil, into: &json) }
            json.endArray()
            json.endObject()
            return Self.json(.ok, json.bytes)
        }
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
        group.get("/binds") { request, _ in
            let filter = request.uri.queryParameters["account"].map(String.init)
            var json = JSONWriter()
            json.beginObject()
            json.key("data")
            json.beginArray()
            for bind in admin.binds.binds() where filter == nil || bind.accountID == filter {
                json.beginObject()
                json.key("id")
                json.string(String(bind.id))
                json.key("account_id")
                json.string(bind.accountID)
                json.key("system_id")
                json.string(bind.systemID)
                json.key("type")
                json.string(bind.type.rawValue)
                json.key("peer")
                json.string(bind.peer)
                json.key("tls")
                json.bool(bind.tls)
                json.key("since")
                json.timestamp(bind.since)
                json.key("window")
                json.int(bind.window)
                json.key("window_in_use")
                json.int(bind.windowInUse)
                json.key("submitted")
                json.int(bind.submitted)
                json.key("messages_per_second")
                json.int(Int(bind.messagesPerSecond.rounded()))
                json.endObject()
            }
            json.endArray()
            json.endObject()
            return Self.json(.ok, json.bytes)
        }
        group.get("/connectors") { _, _ in
            var json = JSONWriter()
            json.beginObject()
            json.key("data")
            json.beginArray()
            for connector in admin.connectors?.connectors() ?? [] { Self.write(connector, into: &json) }
            json.endArray()
            json.endObject()
            return Self.json(.ok, json.bytes)
        }
        group.post("/connectors") { request, _ in
            let directory = try Self.directory(admin)
            let (_, body) = try await self.jsonBody(request, limit: 65_536)
            do {
                let info = try await admin.serial.run { try await directory.addConnector(json: Array(body.readableBytesView)) }
                var json = JSONWriter()
                Self.write(info, into: &json)
                return Self.json(.created, json.bytes)
            } catch {
                throw Self.problem(error)
            }
        }
        group.delete("/connectors/:name") { _, context in
            let directory = try Self.directory(admin)
            do {
                try await admin.serial.run { try await directory.removeConnector(name: context.parameters.get("name") ?? "") }
            } catch {
                throw Self.problem(error)
            }
            return Response(status: .noContent)
        }
        group.get("/routes") { _, _ in
            Self.json(.ok, try Self.directory(admin).routes())
        }
        group.put("/routes") { request, _ in
            let directory = try Self.directory(admin)
            let (_, body) = try await self.jsonBody(request, limit: 1_048_576)
            do {
                return Self.json(.ok, try await admin.serial.run { try await directory.setRoutes(json: Array(body.readableBytesView)) })
            } catch {
                throw Self.problem(error)
            }
        }
        group.delete("/binds/:id") { _, context in
            let text = context.parameters.get("id") ?? ""
            guard let id = UInt64(text), admin.binds.unbind(id: id) else { throw Problem.notFound("no bind \(text)") }
            return Response(status: .noContent)
        }
    }

    /// `templates[0].headers` from a decoding path.
    static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce(into: "") { path, key in
            if let index = key.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
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
                guard SendRequest.isWebURL(text) else { throw Problem.invalidField(name, "`\(name)` must be an http:// or https:// URL") }
                guard SendRequest.hostAllowed(text, self.configuration.webhookHosts) else { throw Problem.webhookHostNotAllowed(name) }
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
            guard case .string(let text) = given, (1...8).contains(text.utf8.count), text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw Problem.invalidField("password", "an SMPP password is 1–8 printable ASCII characters")
            }
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

extension HTTPAPI {
    static func directory(_ admin: AdminAPI) throws -> any ConnectorDirectory {
        guard let directory = admin.connectors else { throw Problem.notFound("this gateway has no connector directory") }
        return directory
    }

    /// A refused connector or route change, by its code.
    static func problem(_ error: any Error) -> any Error {
        guard let error = error as? ConnectorChangeError else { return error }
        switch error.code {
        case .invalid: return Problem(.unprocessableContent, "invalid_connector_config", "Not a valid connector or route table", detail: error.message)
        case .exists: return Problem(.conflict, "connector_exists", "A connector has that name", detail: error.message)
        case .notFound: return Problem.notFound(error.message)
        case .inConfig: return Problem(.conflict, "connector_in_config", "Defined in the config file", detail: error.message)
        case .inUse: return Problem(.conflict, "connector_in_use", "A route names this connector", detail: error.message)
        case .storage: return Problem(.serviceUnavailable, "change_not_stored", "The change could not be made now", detail: error.message)
        }
    }

    static func write(_ connector: ConnectorInfo, into json: inout JSONWriter) {
        json.beginObject()
        json.key("name")
        json.string(connector.name)
        json.key("kind")
        json.string(connector.kind)
        json.key("address")
        json.string(connector.address)
        json.key("tls")
        json.bool(connector.tls)
        json.key("state")
        json.string(connector.state)
        json.key("binds_up")
        json.int(connector.bindsUp)
        json.key("binds")
        json.int(connector.binds)
        json.key("accepted")
        json.int(connector.accepted)
        json.key("awaiting_receipts")
        json.int(connector.awaitingReceipts)
        json.endObject()
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
