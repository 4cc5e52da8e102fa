public import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

// `IdempotencyStore` and `APIKeyStore` on the messages file.
extension SQLiteMessageStore {
    public func idempotencyRecord(accountID: String, key: String) async throws -> IdempotencyRecord? {
        try await self.messages.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM idempotency WHERE account_id = ? AND key = ?", arguments: [accountID, key]).map { row in
                IdempotencyRecord(
                    accountID: row["account_id"], key: row["key"], requestHash: [UInt8](row["request_hash"] as Data), status: row["status"],
                    body: [UInt8](row["body"] as Data), createdAt: row["created_at"])
            }
        }
    }

    public func apiKeys() async throws -> [APIKey] {
        try await self.messages.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_at").map { row in
                APIKey(
                    id: row["id"], accountID: row["account_id"], secretHash: [UInt8](row["secret_hash"] as Data), label: row["label"],
                    createdAt: row["created_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    public func save(_ key: APIKey) async throws {
        try await self.messages.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO api_key (id, account_id, secret_hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.id, key.accountID, Data(key.secretHash), key.label, key.createdAt, key.revokedAt])
        }
    }
}
