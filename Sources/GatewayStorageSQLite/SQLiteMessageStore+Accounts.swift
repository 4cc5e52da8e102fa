public import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

// `AccountStore` and `SettingsStore` on the messages file: accounts, balances, node settings.
extension SQLiteMessageStore {
    public func accounts() async throws -> [Account] {
        try await self.messages.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY created_at").compactMap(Self.account)
        }
    }

    public func save(_ account: Account) async throws {
        try await self.messages.write { db in
            try db.execute(
                sql: """
                    INSERT INTO account
                        (id, system_id, password_hash, allowed_binds, max_binds, messages_per_second, window, enabled, numbers, created_at,
                         senders, requests_per_second, webhook_url, mo_webhook_url, webhook_secret, reports, allowed_ips, dlt, billing)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET
                        system_id = excluded.system_id, password_hash = excluded.password_hash, allowed_binds = excluded.allowed_binds,
                        max_binds = excluded.max_binds, messages_per_second = excluded.messages_per_second, window = excluded.window,
                        enabled = excluded.enabled, numbers = excluded.numbers, senders = excluded.senders,
                        requests_per_second = excluded.requests_per_second, webhook_url = excluded.webhook_url,
                        mo_webhook_url = excluded.mo_webhook_url, webhook_secret = excluded.webhook_secret, reports = excluded.reports,
                        allowed_ips = excluded.allowed_ips, dlt = excluded.dlt, billing = excluded.billing
                    -- The balance is not the account's settings: only charges, top-ups and refunds move it.
                    """,
                arguments: [
                    account.id, account.systemID, account.password.description,
                    account.allowedBinds.map(\.rawValue).sorted().joined(separator: ","), account.maxBinds,
                    account.messagesPerSecond, account.window, account.enabled, account.numbers.joined(separator: ","),
                    account.createdAt, account.senders.joined(separator: ","), account.requestsPerSecond, account.webhookURL,
                    account.moWebhookURL, account.webhookSecret, account.reports.rawValue, account.allowedIPs.entries.joined(separator: ","),
                    account.dlt.isEmpty ? "" : String(decoding: try JSONEncoder().encode(account.dlt), as: UTF8.self),
                    String(decoding: try JSONEncoder().encode(account.billing), as: UTF8.self),
                ])
        }
    }

    static func account(_ row: Row) -> Account? {
        guard let hash = PasswordHash(row["password_hash"] as String) else { return nil }
        let binds = (row["allowed_binds"] as String).split(separator: ",").compactMap { Account.BindKind(rawValue: String($0)) }
        let numbers = (row["numbers"] as String).split(separator: ",").map(String.init)
        return Account(
            id: row["id"], systemID: row["system_id"], password: hash, allowedBinds: Set(binds), maxBinds: row["max_binds"],
            messagesPerSecond: row["messages_per_second"], window: row["window"], enabled: row["enabled"], numbers: numbers,
            createdAt: row["created_at"], senders: (row["senders"] as String).split(separator: ",").map(String.init),
            requestsPerSecond: row["requests_per_second"], webhookURL: row["webhook_url"], moWebhookURL: row["mo_webhook_url"],
            webhookSecret: row["webhook_secret"], reports: Account.ReportDestination(rawValue: row["reports"]) ?? .both,
            allowedIPs: (try? IPAllowList((row["allowed_ips"] as String).split(separator: ",").map(String.init))) ?? (try! IPAllowList([])),
            dlt: (try? JSONDecoder().decode(DLTRegistration.self, from: Data((row["dlt"] as String).utf8))) ?? DLTRegistration(),
            // Accounts from before billing are postpaid at no charge: they keep working as they did.
            billing: (try? JSONDecoder().decode(Billing.self, from: Data((row["billing"] as String).utf8))) ?? Billing(mode: .postpaid))
    }

    public func balances() async throws -> [String: Int64] {
        var balances = try await self.messages.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, balance FROM account").map { ($0["id"] as String, $0["balance"] as Int64) })
        }
        let credits = try await self.outbox.read { db in
            try Row.fetchAll(db, sql: "SELECT account_id, sum(amount) AS amount FROM credit GROUP BY account_id").map {
                ($0["account_id"] as String, $0["amount"] as Int64)
            }
        }
        for (account, amount) in credits { balances[account, default: 0] += amount }
        return balances
    }

    public func adjustBalance(accountID: String, by amount: Int64) async throws {
        try await self.messages.write { db in
            try db.execute(sql: "UPDATE account SET balance = balance + ? WHERE id = ?", arguments: [amount, accountID])
        }
    }

    public func delete(accountID: String) async throws -> Bool {
        try await self.messages.write { db in
            try db.execute(sql: "DELETE FROM account WHERE id = ?", arguments: [accountID])
            return db.changesCount == 1
        }
    }

    public func setting(_ key: String) async throws -> String? {
        try await self.messages.read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) }
    }

    public func save(setting key: String, value: String) async throws {
        try await self.messages.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }
}
