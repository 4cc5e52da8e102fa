import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `shortwave accounts …`: the admin API (`/admin/v1`) from the command line. Prints the API's
/// JSON answers; a refusal prints its problem detail and exits 1.
struct Accounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts, API keys and binds of a running gateway (the admin API).",
        discussion: """
            Talks to the admin API of `shortwave serve` (/admin/v1 on its HTTP port) with the admin \
            token it printed on first run. --url and --token, or SHORTWAVE_ADMIN_URL and \
            SHORTWAVE_ADMIN_TOKEN.
            """,
        subcommands: [
            List.self, Show.self, Create.self, Update.self, Suspend.self, Resume.self, Delete.self, Password.self, Keys.self, CreateKey.self,
            RevokeKey.self, TopUp.self, DLT.self, Binds.self, Unbind.self, Connectors.self, AddConnector.self, RemoveConnector.self, Routes.self,
        ]
    )

    struct Connection: ParsableArguments {
        @Option(help: "The gateway's HTTP address (default $SHORTWAVE_ADMIN_URL or http://127.0.0.1:8080).")
        var url: String?

        @Option(help: "The admin token (default $SHORTWAVE_ADMIN_TOKEN).")
        var token: String?

        @Flag(help: "Print the gateway's JSON answer (for scripts) instead of a table.")
        var json = false

        /// Sends one request; prints the JSON answer, or the problem and exits 1.
        /// `secretsShown`: the answer is a secret made just now (a new password, key or webhook
        /// secret), shown this once; otherwise secrets are left out of the readable output.
        func call(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil, secretsShown: Bool = false) async throws {
            let environment = ProcessInfo.processInfo.environment
            let base = self.url ?? environment["SHORTWAVE_ADMIN_URL"] ?? "http://127.0.0.1:8080"
            guard let token = self.token ?? environment["SHORTWAVE_ADMIN_TOKEN"], !token.isEmpty else {
                throw ValidationError("no admin token: pass --token or set SHORTWAVE_ADMIN_TOKEN (serve printed it on first run)")
            }
            var request = HTTPClientRequest(url: base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: body))))
            }
            let response: HTTPClientResponse
            let data: ByteBuffer
            do {
                response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                data = try await response.body.collect(upTo: 64 << 20)
            } catch {
                FileHandle.standardError.write("error: could not reach the gateway at \(base): \(error)\n")
                throw ExitCode(2)
            }
            let bytes = Data(data.readableBytesView)
            guard (200..<300).contains(response.status.code) else {
                let problem = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any]
                let detail = problem?["detail"] as? String ?? String(decoding: bytes, as: UTF8.self)
                let code = problem?["code"] as? String ?? "\(response.status.code)"
                let field = (problem?["field"] as? String).map { "\($0): " } ?? ""
                FileHandle.standardError.write("error: \(field)\(detail) (\(code))\n")
                throw ExitCode(1)
            }
            guard !bytes.isEmpty else { return print("ok") }
            let object = try JSONSerialization.jsonObject(with: bytes)
            if self.json {
                let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: pretty, as: UTF8.self))
            } else {
                print(Readable.render(object, showSecrets: secretsShown), terminator: "")
            }
        }
    }

    /// Account settings shared by `create` and `update`.
    struct Settings: ParsableArguments {
        @Option(name: .customLong("system-id"), help: "SMPP system_id (1–15 characters).") var systemID: String?
        @Option(help: "Concurrent binds allowed.") var maxBinds: Int?
        @Option(help: "deliver_sm window per receiver bind.") var window: Int?
        @Option(help: "Messages (segments) per second across SMPP and HTTP; 0 for no limit.") var messagesPerSecond: Int?
        @Option(help: "HTTP requests per second per API key; 0 for no limit.") var requestsPerSecond: Int?
        @Option(help: "Bind types allowed, comma-separated (transmitter,receiver,transceiver).") var binds: String?
        @Option(help: "Sender ids it may use, comma-separated; \"\" for any.") var senders: String?
        @Option(help: "Numbers and short codes it owns (MO goes to it), comma-separated.") var numbers: String?
        @Option(name: .customLong("allowed-ips"), help: "Addresses and CIDR ranges it may connect from, comma-separated; \"\" for any.") var allowedIPs: String?
        @Option(name: .customLong("webhook-url"), help: "Where status webhooks go; \"\" for none.") var webhookURL: String?
        @Option(name: .customLong("mo-webhook-url"), help: "Where inbound-message webhooks go; \"\" for none.") var moWebhookURL: String?
        @Option(help: "Where delivery reports go: smpp, webhook or both.") var reports: String?
        @Option(help: "prepaid or postpaid.") var billing: String?
        @Option(help: "ISO 4217 currency of its prices and balance (EUR).") var currency: String?
        @Option(name: .customLong("default-rate"), help: "Price per segment, minor units, where no prefix matches.") var defaultRate: Int?
        @Option(help: "Rate card: prefix=price per segment, comma-separated (91=25,44=40).") var rates: String?

        var body: [String: Any] {
            var body: [String: Any] = [:]
            func list(_ text: String) -> [String] { text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            if let systemID { body["system_id"] = systemID }
            if let maxBinds { body["max_binds"] = maxBinds }
            if let window { body["window"] = window }
            if let messagesPerSecond { body["messages_per_second"] = messagesPerSecond == 0 ? NSNull() : messagesPerSecond as Any }
            if let requestsPerSecond { body["requests_per_second"] = requestsPerSecond == 0 ? NSNull() : requestsPerSecond as Any }
            if let binds { body["allowed_binds"] = list(binds) }
            if let senders { body["senders"] = list(senders) }
            if let numbers { body["numbers"] = list(numbers) }
            if let allowedIPs { body["allowed_ips"] = list(allowedIPs) }
            if let webhookURL { body["webhook_url"] = webhookURL.isEmpty ? NSNull() : webhookURL as Any }
            if let moWebhookURL { body["mo_webhook_url"] = moWebhookURL.isEmpty ? NSNull() : moWebhookURL as Any }
            if let reports { body["reports"] = reports }
            var billing: [String: Any] = [:]
            if let mode = self.billing { billing["mode"] = mode }
            if let currency { billing["currency"] = currency }
            if let defaultRate { billing["default_rate"] = defaultRate }
            if let rates {
                var card: [String: Any] = [:]
                for entry in list(rates) {
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    card[parts[0]] = parts.count == 2 ? (Int(parts[1]) as Any? ?? parts[1]) : ""
                }
                billing["rates"] = card
            }
            if !billing.isEmpty { body["billing"] = billing }
            return body
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var connection: Connection
        func run() async throws { try await self.connection.call(.GET, "/admin/v1/accounts") }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one account.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        func run() async throws { try await self.connection.call(.GET, "/admin/v1/accounts/\(escape(self.id))") }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account; prints its password (and API key) once.")
        @OptionGroup var connection: Connection
        @Argument(help: "SMPP system_id (also the account id unless --id).") var systemID: String
        @Option(help: "Account id (default: the system_id).") var id: String?
        @Option(help: "SMPP password, 8 printable characters (default: a random one).") var password: String?
        @Flag(help: "Also make an API key.") var apiKey = false
        @OptionGroup var settings: Settings
        func run() async throws {
            var body = self.settings.body
            body["system_id"] = self.systemID
            if let id { body["id"] = id }
            if let password { body["password"] = password }
            if self.apiKey { body["api_key"] = true }
            try await self.connection.call(.POST, "/admin/v1/accounts", body: body, secretsShown: true)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an account's settings (at once, no restart).")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        @OptionGroup var settings: Settings
        func run() async throws {
            let body = self.settings.body
            guard !body.isEmpty else { throw ValidationError("nothing to change: give at least one setting (see --help)") }
            try await self.connection.call(.PATCH, "/admin/v1/accounts/\(escape(self.id))", body: body)
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend an account: its sessions are unbound, new binds and calls refused.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        func run() async throws { try await self.connection.call(.PATCH, "/admin/v1/accounts/\(escape(self.id))", body: ["enabled": false]) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a suspended account bind and call again.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        func run() async throws { try await self.connection.call(.PATCH, "/admin/v1/accounts/\(escape(self.id))", body: ["enabled": true]) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account (its sessions are unbound; its messages stay).")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        func run() async throws { try await self.connection.call(.DELETE, "/admin/v1/accounts/\(escape(self.id))") }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set or rotate an account's SMPP password; prints it once.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        @Option(help: "The new password (default: a random one).") var password: String?
        func run() async throws {
            try await self.connection.call(
                .POST, "/admin/v1/accounts/\(escape(self.id))/password", body: self.password.map { ["password": $0] } ?? [:])
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an account's API keys (never their secrets).")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        func run() async throws { try await self.connection.call(.GET, "/admin/v1/accounts/\(escape(self.id))/keys") }
    }

    struct CreateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create-key", abstract: "Make an API key; prints it once.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        @Option(help: "A label for the key.") var label: String?
        func run() async throws {
            try await self.connection.call(.POST, "/admin/v1/accounts/\(escape(self.id))/keys", body: self.label.map { ["label": $0] } ?? [:])
        }
    }

    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-key", abstract: "Revoke an API key.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        @Argument(help: "Key id (the 12 characters after sw_).") var key: String
        func run() async throws { try await self.connection.call(.DELETE, "/admin/v1/accounts/\(escape(self.id))/keys/\(escape(self.key))") }
    }

    struct TopUp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "top-up", abstract: "Add to an account's balance (minor units; below zero to take back).")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        @Argument(help: "Minor units (100 = 1.00).") var amount: Int
        func run() async throws {
            try await self.connection.call(.POST, "/admin/v1/accounts/\(escape(self.id))/balance", body: ["amount": self.amount])
        }
    }

    struct DLT: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dlt", abstract: "Show an account's India DLT registration, or replace it from a JSON file.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account id.") var id: String
        @Option(help: "A JSON file with entities, headers and templates (see README).") var set: String?
        func run() async throws {
            guard let path = self.set else { return try await self.connection.call(.GET, "/admin/v1/accounts/\(escape(self.id))/dlt") }
            guard let data = FileManager.default.contents(atPath: path),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { throw ValidationError("\(path) is not a readable JSON object") }
            try await self.connection.call(.PUT, "/admin/v1/accounts/\(escape(self.id))/dlt", body: object)
        }
    }

    struct Binds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the live SMPP binds.")
        @OptionGroup var connection: Connection
        @Option(help: "Only this account's.") var account: String?
        func run() async throws {
            try await self.connection.call(.GET, "/admin/v1/binds" + (self.account.map { "?account=\(escape($0))" } ?? ""))
        }
    }

    struct Connectors: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the upstream carrier connectors and their state.")
        @OptionGroup var connection: Connection
        func run() async throws { try await self.connection.call(.GET, "/admin/v1/connectors") }
    }

    struct AddConnector: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add and start an upstream connector, from a JSON file in the config file's form (kept across restarts).")
        @OptionGroup var connection: Connection
        @Argument(help: "A JSON file with one connector (name, host, port, systemID, password, binds, window, …).") var file: String
        func run() async throws {
            try await self.connection.call(.POST, "/admin/v1/connectors", body: try readObject(self.file))
        }
    }

    struct RemoveConnector: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop and remove a connector added at run time (change the routes first).")
        @OptionGroup var connection: Connection
        @Argument(help: "Connector name.") var name: String
        func run() async throws { try await self.connection.call(.DELETE, "/admin/v1/connectors/\(escape(self.name))") }
    }

    struct Routes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the route table, or replace it from a JSON file {\"routes\": [...]}.")
        @OptionGroup var connection: Connection
        @Option(help: "A JSON file with the whole route table.") var set: String?
        func run() async throws {
            guard let path = self.set else { return try await self.connection.call(.GET, "/admin/v1/routes") }
            try await self.connection.call(.PUT, "/admin/v1/routes", body: try readObject(path))
        }
    }

    struct Unbind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unbind one SMPP session (its id from `binds`).")
        @OptionGroup var connection: Connection
        @Argument(help: "Bind id.") var bind: String
        func run() async throws { try await self.connection.call(.DELETE, "/admin/v1/binds/\(escape(self.bind))") }
    }
}

/// A JSON object from a file, or an error that says what to fix.
func readObject(_ path: String) throws -> [String: Any] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw ValidationError("\(path) is not a JSON object")
    }
    return object
}

func escape(_ segment: String) -> String {
    segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
}

/// The readable form of the admin API's answers: a list (`data`) as a table, an object as
/// aligned `key  value` lines (nested ones as compact JSON). Webhook secrets are left out unless
/// the answer is one just made.
enum Readable {
    static let secretKeys: Set<String> = ["webhook_secret"]
    /// Columns first in this order when present; the others after, alphabetically.
    static let preferred = [
        "id", "name", "system_id", "account_id", "account", "label", "prefix", "enabled", "state", "kind", "address", "bind_type", "peer",
        "binds", "binds_up", "max_binds", "messages_per_second", "billing", "balance", "currency", "accepted", "awaiting_receipts", "created_at",
        "since",
    ]

    static func render(_ object: Any, showSecrets: Bool) -> String {
        if let top = object as? [String: Any], let rows = top["data"] as? [[String: Any]] {
            return table(rows, showSecrets: showSecrets) + (top.count > 1 ? lines(top.filter { $0.key != "data" }, showSecrets: showSecrets) : "")
        }
        if let rows = object as? [[String: Any]] { return table(rows, showSecrets: showSecrets) }
        if let top = object as? [String: Any] { return lines(top, showSecrets: showSecrets) }
        return "\(cell(object))\n"
    }

    static func columns(_ keys: some Sequence<String>, showSecrets: Bool) -> [String] {
        let all = Set(keys).filter { showSecrets || !secretKeys.contains($0) }
        return preferred.filter(all.contains) + all.subtracting(preferred).sorted()
    }

    static func table(_ rows: [[String: Any]], showSecrets: Bool) -> String {
        guard !rows.isEmpty else { return "(none)\n" }
        // Wide, rarely wanted columns stay out of the table: `show` has them all.
        let skipped: Set<String> = ["senders", "numbers", "allowed_ips", "allowed_binds", "webhook_url", "mo_webhook_url", "rates", "dlt"]
        let names = columns(rows.flatMap(\.keys), showSecrets: showSecrets).filter { !skipped.contains($0) || rows.count == 1 }
        let cells = rows.map { row in names.map { cell(row[$0]) } }
        let widths = names.indices.map { index in max(names[index].count, cells.map { $0[index].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
        }
        return line(names.map { $0.uppercased() }) + cells.map(line).joined()
    }

    static func lines(_ object: [String: Any], showSecrets: Bool, indent: String = "") -> String {
        let names = columns(object.keys, showSecrets: showSecrets)
        let width = names.map(\.count).max() ?? 0
        return names.map { name in
            // An object inside (the account of a created account): its own lines, indented.
            if let inner = object[name] as? [String: Any], inner.count > 2, name != "billing" {
                return indent + name + ":\n" + lines(inner, showSecrets: showSecrets, indent: indent + "  ")
            }
            return indent + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + cell(object[name]) + "\n"
        }.joined()
    }

    static func cell(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "-"
        case let text as String: return text
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return number.boolValue ? "yes" : "no" }  // JSON true/false
            return number.stringValue
        case let list as [Any] where list.allSatisfy({ $0 is String }): return list.isEmpty ? "-" : (list as! [String]).joined(separator: ",")
        case let billing as [String: Any] where billing["mode"] is String:
            return [billing["mode"], billing["currency"]].compactMap { $0 as? String }.joined(separator: " ")
        default:
            guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else {
                return "\(value ?? "-")"
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
