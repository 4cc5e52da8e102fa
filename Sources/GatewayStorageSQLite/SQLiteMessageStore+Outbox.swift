public import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

// `Outbox` on the outbox file: status changes with their receipts, webhooks and credits in one
// transaction; deliveries and webhooks owed, leased, completed, expired.
extension SQLiteMessageStore {
    public func write(_ batch: WriteBatch) async throws -> WriteOutcome {
        guard !batch.isEmpty else { return WriteOutcome() }
        try await self.insert(batch.messages)
        guard !(batch.changes.isEmpty && batch.deliveries.isEmpty && batch.acknowledged.isEmpty && batch.webhooks.isEmpty
            && batch.dispatchWatermark == nil && batch.deliveredParts.isEmpty)
        else {
            return WriteOutcome()
        }
        return try await self.outbox.write { db in
            var credits: [Credit] = []
            var stored = try self.apply(batch.changes, credits: &credits, db: db)
            stored += try self.insert(deliveries: batch.deliveries, db: db)
            for webhook in batch.webhooks { _ = try Self.insert(webhook, db: db) }
            try Self.complete(batch.acknowledged, db: db)
            for part in batch.deliveredParts {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO upstream_delivered (message_id, connector, upstream_id) VALUES (?, ?, ?)",
                    arguments: [Int64(bitPattern: part.messageID.rawValue), part.upstream.connector, part.upstream.id])
            }
            if let watermark = batch.dispatchWatermark {
                let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('dispatch_watermark', ?)")
                var row = RawRow(statement)
                row.int(Int64(bitPattern: watermark.rawValue))
                try row.execute(db)
            }
            return WriteOutcome(deliveries: stored, credits: credits)
        }
    }

    /// Applies each change unless its message is already final (a message the store never saw
    /// gets a status row all the same: the gateway changes only messages it stored).
    public func apply(_ changes: [StatusChange]) async throws -> [Delivery] {
        guard !changes.isEmpty else { return [] }
        return try await self.outbox.write { db in
            var credits: [Credit] = []
            return try self.apply(changes, credits: &credits, db: db)
        }
    }

    func apply(_ changes: [StatusChange], credits: inout [Credit], db: Database) throws -> [Delivery] {
        guard !changes.isEmpty else { return [] }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO status (id, status, error_code, done_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code, done_at = excluded.done_at
                WHERE status.status NOT IN (\(Self.finalStatuses))
                """)
        let insert = try Self.insertDeliveryStatement(db)
        var stored: [Delivery] = []
        stored.reserveCapacity(changes.count)
        for change in changes {
            var row = RawRow(upsert)
            row.int(Int64(bitPattern: change.messageID.rawValue))
            row.text(change.status.rawValue)
            row.int(change.errorCode)
            row.int(change.status.isFinal ? change.at : nil)
            try row.execute(db)
            guard db.changesCount == 1 else { continue }
            if let webhook = change.webhook { _ = try Self.insert(webhook, db: db) }
            if let credit = change.credit, try Self.insert(credit, at: change.at, db: db) { credits.append(credit) }
            for upstream in change.upstream {
                let statement = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO upstream (connector, upstream_id, message_id, parts) VALUES (?, ?, ?, ?)")
                var row = RawRow(statement)
                row.text(upstream.connector)
                row.text(upstream.id)
                row.int(Int64(bitPattern: change.messageID.rawValue))
                row.int(change.upstream.count)
                try row.execute(db)
            }
            guard var receipt = change.receipt else { continue }
            try self.insert(&receipt, with: insert, db: db)
            stored.append(receipt)
        }
        return stored
    }

    public func insert(deliveries: [Delivery]) async throws -> [Delivery] {
        guard !deliveries.isEmpty else { return [] }
        return try await self.outbox.write { db in try self.insert(deliveries: deliveries, db: db) }
    }

    func insert(deliveries: [Delivery], db: Database) throws -> [Delivery] {
        guard !deliveries.isEmpty else { return [] }
        let insert = try Self.insertDeliveryStatement(db)
        var stored = deliveries
        for index in stored.indices { try self.insert(&stored[index], with: insert, db: db) }
        return stored
    }

    static func insertDeliveryStatement(_ db: Database) throws -> Statement {
        try db.cachedStatement(
            sql: "INSERT INTO delivery (seq, account_id, kind, message_id, pdu, created_at, expires_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    }

    func insert(_ delivery: inout Delivery, with statement: Statement, db: Database) throws {
        var buffer = ByteBuffer()
        try SMPPPacket(sequenceNumber: 1, pdu: .deliverSM(delivery.deliverSM)).encode(into: &buffer)
        let sequence = self.nextSequence.withLock { next in
            defer { next += 1 }
            return next
        }
        var row = RawRow(statement)
        row.int(sequence)
        row.text(delivery.accountID)
        row.text(delivery.kind.rawValue)
        row.int(delivery.messageID.map { Int64(bitPattern: $0.rawValue) })
        row.blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
        row.int(delivery.createdAt)
        row.int(delivery.expiresAt)
        row.int(delivery.attempts)
        try row.execute(db)
        delivery.sequence = sequence
    }

    /// Stores a refund unless the message was refunded already; true if stored.
    static func insert(_ credit: Credit, at: Int64, db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "INSERT INTO credit (message_id, account_id, amount, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
        var row = RawRow(statement)
        row.int(Int64(bitPattern: credit.messageID.rawValue))
        row.text(credit.accountID)
        row.int(credit.amount)
        row.int(at)
        try row.execute(db)
        return db.changesCount == 1
    }

    public func pendingDeliveries(accountID: String, after: Int64, limit: Int) async throws -> [Delivery] {
        try await self.outbox.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM delivery WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?", arguments: [accountID, after, limit]
            ).compactMap { row -> Delivery? in
                guard let packet = try? SMPPPacket.decode(frame: ByteBuffer(bytes: row["pdu"] as Data)),
                    case .deliverSM(let pdu) = packet.pdu
                else { return nil }
                return Delivery(
                    sequence: row["seq"], accountID: row["account_id"], kind: Delivery.Kind(rawValue: row["kind"]) ?? .receipt,
                    messageID: (row["message_id"] as Int64?).map { MessageID(rawValue: UInt64(bitPattern: $0)) }, deliverSM: pdu,
                    createdAt: row["created_at"], expiresAt: row["expires_at"], attempts: row["attempts"])
            }
        }
    }

    public func completeDeliveries(_ sequences: [Int64]) async throws {
        guard !sequences.isEmpty else { return }
        try await self.outbox.write { db in try Self.complete(sequences, db: db) }
    }

    static func complete(_ sequences: [Int64], db: Database) throws {
        guard !sequences.isEmpty else { return }
        let delete = try db.cachedStatement(sql: "DELETE FROM delivery WHERE seq = ?")
        for sequence in sequences {
            var row = RawRow(delete)
            row.int(sequence)
            try row.execute(db)
        }
    }

    public func deleteExpired(before: Int64, idempotencyBefore: Int64) async throws -> Int {
        try await self.messages.write { db in
            try db.execute(sql: "DELETE FROM idempotency WHERE created_at < ?", arguments: [idempotencyBefore])
        }
        return try await self.outbox.write { db in
            try db.execute(sql: "DELETE FROM delivery WHERE expires_at < ?", arguments: [before])
            var count = db.changesCount
            try db.execute(sql: "DELETE FROM webhook WHERE expires_at < ?", arguments: [before])
            count += db.changesCount
            return count
        }
    }

    static func insert(_ webhook: Webhook, db: Database) throws -> Webhook {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO webhook (account_id, kind, url, body, created_at, next_attempt_at, attempts, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var row = RawRow(statement)
        row.text(webhook.accountID)
        row.text(webhook.kind.rawValue)
        row.text(webhook.url)
        row.blob(webhook.body)
        row.int(webhook.createdAt)
        row.int(webhook.nextAttemptAt)
        row.int(webhook.attempts)
        row.int(webhook.expiresAt)
        try row.execute(db)
        var stored = webhook
        stored.sequence = db.lastInsertedRowID
        return stored
    }

    public func insert(webhooks: [Webhook]) async throws -> [Webhook] {
        guard !webhooks.isEmpty else { return [] }
        return try await self.outbox.write { db in try webhooks.map { try Self.insert($0, db: db) } }
    }

    public func claimWebhooks(now: Int64, lease: Int64, claim: WebhookClaim) async throws -> [Webhook] {
        try await self.outbox.write { db in
            // Accounts whose share is full are left out here; the others' candidates are picked by the shares.
            let full = claim.fullAccounts
            let excluding = full.isEmpty ? "" : " AND account_id NOT IN (\(full.map { _ in "?" }.joined(separator: ",")))"
            let candidates = try Row.fetchAll(
                db, sql: "SELECT * FROM webhook WHERE next_attempt_at <= ?\(excluding) ORDER BY next_attempt_at, seq LIMIT ?",
                arguments: StatementArguments([now] as [any DatabaseValueConvertible] + full + [claim.candidates])
            ).map { row in
                Webhook(
                    sequence: row["seq"], accountID: row["account_id"], kind: Webhook.Kind(rawValue: row["kind"]) ?? .status, url: row["url"],
                    body: [UInt8](row["body"] as Data), createdAt: row["created_at"], nextAttemptAt: row["next_attempt_at"],
                    attempts: row["attempts"], expiresAt: row["expires_at"])
            }
            let due = claim.pick(candidates)
            for webhook in due {
                try db.execute(sql: "UPDATE webhook SET next_attempt_at = ? WHERE seq = ?", arguments: [now + lease, webhook.sequence])
            }
            return due
        }
    }

    public func completeWebhooks(_ sequences: [Int64]) async throws {
        guard !sequences.isEmpty else { return }
        try await self.outbox.write { db in
            for sequence in sequences { try db.execute(sql: "DELETE FROM webhook WHERE seq = ?", arguments: [sequence]) }
        }
    }

    public func retryWebhook(_ sequence: Int64, at: Int64, attempts: Int) async throws {
        try await self.outbox.write { db in
            try db.execute(sql: "UPDATE webhook SET next_attempt_at = ?, attempts = ? WHERE seq = ?", arguments: [at, attempts, sequence])
        }
    }
}
