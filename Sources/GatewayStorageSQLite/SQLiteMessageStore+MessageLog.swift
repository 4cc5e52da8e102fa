public import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

// `MessageLog`: messages written once into the messages file, their statuses read from the
// outbox file; listings, cancel and replace while queued, carriers' ids.
extension SQLiteMessageStore {
    /// Stores new messages in one transaction of the messages file. A message given with a
    /// status other than `queued` (an import, a test) gets its status row too, after.
    public func insert(_ messages: [Message], idempotency: [IdempotencyRecord]) async throws {
        guard !messages.isEmpty || !idempotency.isEmpty else { return }
        try await self.messages.write { db in
            try Self.insert(messages, db: db)
            guard !idempotency.isEmpty else { return }
            let statement = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO idempotency (account_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            for record in idempotency {
                var row = RawRow(statement)
                row.text(record.accountID)
                row.text(record.key)
                row.blob(record.requestHash)
                row.int(record.status)
                row.blob(record.body)
                row.int(record.createdAt)
                try row.execute(db)
            }
        }
        let settled = messages.filter { $0.status != .queued }
        if !settled.isEmpty {
            _ = try await self.apply(
                settled.map { StatusChange(messageID: $0.id, status: $0.status, errorCode: $0.errorCode, at: $0.doneAt ?? $0.submittedAt) })
        }
    }

    static func insert(_ messages: [Message], db: Database) throws {
        guard !messages.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO message (id, account_id, ingress, service_type, source_addr, source_ton, source_npi,
                    dest_addr, dest_ton, dest_npi, esm_class, protocol_id, priority, registered_delivery, data_coding,
                    payload, tlvs, segments, submitted_at, scheduled_at, expires_at, client_ref, callback_url, price)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for message in messages {
            var row = RawRow(statement)
            row.int(Int64(bitPattern: message.id.rawValue))
            row.text(message.accountID)
            row.text(message.ingress.rawValue)
            row.text(message.serviceType)
            row.text(message.source.address)
            row.int(message.source.ton.rawValue)
            row.int(message.source.npi.rawValue)
            row.text(message.destination.address)
            row.int(message.destination.ton.rawValue)
            row.int(message.destination.npi.rawValue)
            row.int(message.esmClass.rawValue)
            row.int(message.protocolID)
            row.int(message.priority)
            row.int(message.registeredDelivery.rawValue)
            row.int(message.dataCoding.rawValue)
            row.blob(message.payload)
            row.blob(message.tlvs.isEmpty ? [] : message.tlvs.storedOctets)
            row.int(message.segments)
            row.int(message.submittedAt)
            row.int(message.scheduledAt)
            row.int(message.expiresAt)
            row.text(message.clientReference)
            row.text(message.callbackURL)
            row.int(message.price)
            try row.execute(db)
        }
        // Their prices, taken from the balances in the same transaction.
        var charges: [String: Int64] = [:]
        for message in messages where message.price != 0 { charges[message.accountID, default: 0] += message.price }
        for (account, amount) in charges {
            try db.execute(sql: "UPDATE account SET balance = balance - ? WHERE id = ?", arguments: [amount, account])
        }
    }

    public func message(_ id: MessageID) async throws -> Message? {
        let raw = Int64(bitPattern: id.rawValue)
        let found = try await self.messages.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [raw]).map(Self.message)
        }
        guard var message = found else { return nil }
        let status = try await self.outbox.read { db -> (MessageStatus, Int, Int64?)? in
            try Row.fetchOne(db, sql: "SELECT * FROM status WHERE id = ?", arguments: [raw]).map {
                (MessageStatus(rawValue: $0["status"]) ?? .unknown, $0["error_code"], $0["done_at"])
            }
        }
        if let (status, error, doneAt) = status {
            message.status = status
            message.errorCode = error
            message.doneAt = doneAt
        }
        return message
    }

    /// Queued messages (no status yet) at or above the dispatch watermark — those in flight when
    /// the process stopped — merged with every scheduled message still waiting; oldest first.
    public func queuedMessages(after: MessageID?, limit: Int) async throws -> [Message] {
        let after = Int64(bitPattern: after?.rawValue ?? 0)
        let watermark = try await self.outbox.read { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'dispatch_watermark'") ?? 0
        }
        var found: [Message] = []
        // Recent messages, a page at a time, until enough of them turn out to be still queued.
        var cursor = max(after, watermark - 1)
        while found.count < limit {
            let from = cursor
            let page = try await self.messages.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM message WHERE id > ? ORDER BY id LIMIT ?", arguments: [from, limit]).map(Self.message)
            }
            guard let last = page.last else { break }
            cursor = Int64(bitPattern: last.id.rawValue)
            found += try await self.withoutStatus(page)
        }
        let scheduled = try await self.messages.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM message WHERE scheduled_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?", arguments: [after, limit]
            ).map(Self.message)
        }
        found += try await self.withoutStatus(scheduled)
        var seen = Set<MessageID>()
        return Array(found.sorted { $0.id < $1.id }.filter { seen.insert($0.id).inserted }.prefix(limit))
    }

    /// The messages of `page` that have no status yet.
    func withoutStatus(_ page: [Message]) async throws -> [Message] {
        guard !page.isEmpty else { return [] }
        let ids = page.map { Int64(bitPattern: $0.id.rawValue) }
        let settled = try await self.outbox.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT id FROM status WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))", arguments: StatementArguments(ids)))
        }
        return page.filter { !settled.contains(Int64(bitPattern: $0.id.rawValue)) }
    }

    static func message(_ row: Row) -> Message {
        Message(
            id: MessageID(rawValue: UInt64(bitPattern: row["id"] as Int64)), accountID: row["account_id"],
            ingress: Ingress(rawValue: row["ingress"]) ?? .smpp, serviceType: row["service_type"],
            source: SMPPAddress(ton: TypeOfNumber(rawValue: row["source_ton"]), npi: NumberingPlan(rawValue: row["source_npi"]), row["source_addr"]),
            destination: SMPPAddress(ton: TypeOfNumber(rawValue: row["dest_ton"]), npi: NumberingPlan(rawValue: row["dest_npi"]), row["dest_addr"]),
            esmClass: ESMClass(rawValue: row["esm_class"]), protocolID: row["protocol_id"], priority: row["priority"],
            registeredDelivery: RegisteredDelivery(rawValue: row["registered_delivery"]), dataCoding: DataCoding(rawValue: row["data_coding"]),
            payload: [UInt8](row["payload"] as Data), tlvs: TLVList(storedOctets: [UInt8](row["tlvs"] as Data)), segments: row["segments"],
            status: .queued, submittedAt: row["submitted_at"], scheduledAt: row["scheduled_at"], expiresAt: row["expires_at"],
            clientReference: row["client_ref"], callbackURL: row["callback_url"], price: row["price"])
    }

    public func upstream(connector: String, upstreamIDs: [String]) async throws -> UpstreamMatch? {
        try await self.outbox.read { db in
            for id in upstreamIDs {
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT message_id, parts FROM upstream WHERE connector = ? AND upstream_id = ?", arguments: [connector, id])
                else { continue }
                let raw: Int64 = row["message_id"]
                let parts: Int = row["parts"]
                let delivered =
                    parts > 1
                    ? try String.fetchAll(
                        db, sql: "SELECT upstream_id FROM upstream_delivered WHERE message_id = ? AND connector = ?", arguments: [raw, connector])
                    : []
                return UpstreamMatch(
                    messageID: MessageID(rawValue: UInt64(bitPattern: raw)), upstreamID: id, parts: parts, deliveredParts: Set(delivered))
            }
            return nil
        }
    }

    public func cancel(_ id: MessageID, accountID: String, at: Int64, webhook: Webhook?, credit: Credit?) async throws -> CancelOutcome {
        let raw = Int64(bitPattern: id.rawValue)
        let owned = try await self.messages.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM message WHERE id = ? AND account_id = ?", arguments: [raw, accountID]) ?? false
        }
        guard owned else { return .notFound }
        return try await self.outbox.write { db in
            // Only a message without a status yet can be cancelled; dispatch's own change then
            // finds it final and leaves it so.
            try db.execute(sql: "INSERT INTO status (id, status, error_code, done_at) VALUES (?, 'deleted', 0, ?) ON CONFLICT(id) DO NOTHING", arguments: [raw, at])
            guard db.changesCount == 1 else { return .tooLate }
            if let webhook { _ = try Self.insert(webhook, db: db) }
            if let credit { _ = try Self.insert(credit, at: at, db: db) }
            return .cancelled
        }
    }

    public func replace(_ id: MessageID, accountID: String, with replacement: Replacement) async throws -> Bool {
        let raw = Int64(bitPattern: id.rawValue)
        // Held inside an outbox transaction, so no status change can slip in between the check
        // and the change of the message.
        return try await self.outbox.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM status WHERE id = ?", arguments: [raw]) == nil else { return false }
            return try self.messages.write { messages in
                try messages.execute(
                    sql: """
                        UPDATE message SET payload = ?, segments = ?, scheduled_at = ?, expires_at = ?, registered_delivery = ?
                        WHERE id = ? AND account_id = ?
                        """,
                    arguments: [
                        Data(replacement.payload), replacement.segments, replacement.scheduledAt, replacement.expiresAt,
                        replacement.registeredDelivery.rawValue, raw, accountID,
                    ])
                return messages.changesCount == 1
            }
        }
    }

    /// Pages through the account's messages newest first (index `message_account`); a status
    /// filter is applied after reading each page's statuses from the outbox, so a page scans at
    /// most a few thousand rows and may come back short, with a cursor to go on from.
    public func messages(_ query: MessageQuery) async throws -> MessagePage {
        var conditions = "account_id = ? AND id < ? AND id >= ?"
        var arguments: [(any DatabaseValueConvertible)?] = [
            query.accountID, Int64(clamping: query.before?.rawValue ?? UInt64(Int64.max)),
            Int64(clamping: query.notBefore?.rawValue ?? 0),
        ]
        if let recipient = query.recipient {
            conditions += " AND dest_addr IN (?, ?)"
            let bare = recipient.hasPrefix("+") ? String(recipient.dropFirst()) : recipient
            arguments += [bare, "+" + bare]
        }
        if let reference = query.clientReference {
            conditions += " AND client_ref = ?"
            arguments.append(reference)
        }
        let pageSize = query.status == nil ? query.limit + 1 : max(query.limit, 500)
        var found: [Message] = []
        var cursor = query.before
        for _ in 0..<(query.status == nil ? 1 : 8) {
            var pageArguments = arguments
            pageArguments[1] = Int64(clamping: cursor?.rawValue ?? UInt64(Int64.max))
            let sql = "SELECT * FROM message WHERE \(conditions) ORDER BY id DESC LIMIT \(pageSize)"
            let statement = StatementArguments(pageArguments)
            var page = try await self.messages.read { db in try Row.fetchAll(db, sql: sql, arguments: statement).map(Self.message) }
            let more = page.count == pageSize
            try await self.fillStatuses(&page)
            if query.status == nil {
                found = Array(page.prefix(query.limit))
                return MessagePage(messages: found, next: page.count > query.limit ? found.last?.id : nil)
            }
            for message in page where message.status == query.status {
                found.append(message)
                if found.count == query.limit { return MessagePage(messages: found, next: message.id) }
            }
            guard more, let last = page.last else { return MessagePage(messages: found, next: nil) }
            cursor = last.id
        }
        return MessagePage(messages: found, next: cursor)
    }

    func fillStatuses(_ page: inout [Message]) async throws {
        guard !page.isEmpty else { return }
        let ids = page.map { Int64(bitPattern: $0.id.rawValue) }
        let statuses = try await self.outbox.read { db in
            var found: [Int64: (MessageStatus, Int, Int64?)] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM status WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))", arguments: StatementArguments(ids))
            for row in rows { found[row["id"]] = (MessageStatus(rawValue: row["status"]) ?? .unknown, row["error_code"], row["done_at"]) }
            return found
        }
        for index in page.indices {
            if let (status, error, doneAt) = statuses[Int64(bitPattern: page[index].id.rawValue)] {
                page[index].status = status
                page[index].errorCode = error
                page[index].doneAt = doneAt
            }
        }
    }
}
