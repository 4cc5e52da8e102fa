public import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

/// `MessageStore` on an embedded SQLite file (WAL), through GRDB.
///
/// Writes run on GRDB's writer queue, never on an event loop or the cooperative pool; each call
/// is one transaction. With `synchronous = FULL` (the default) a commit is on disk when the call
/// returns, power loss included; the gateway groups many messages per call so the fsync is shared.
public final class SQLiteMessageStore: MessageStore {
    public struct Configuration: Sendable {
        /// `true`: fsync every commit (survives power loss). `false`: WAL `synchronous = NORMAL`
        /// (survives a crash of the process, not of the machine).
        public var fullSync: Bool
        /// How often the write-ahead log is copied back into the database (`runMaintenance`).
        public var checkpointInterval: Duration

        public init(fullSync: Bool = true, checkpointInterval: Duration = .milliseconds(200)) {
            self.fullSync = fullSync
            self.checkpointInterval = checkpointInterval
        }
    }

    let pool: DatabasePool
    public let path: String
    let checkpointInterval: Duration
    /// The next delivery sequence number: assigned here (not by SQLite, which may reuse the
    /// number of a deleted last row) so that sequences only ever increase while this runs.
    let nextSequence: Mutex<Int64>

    public init(path: String, configuration: Configuration = Configuration()) throws {
        var grdb = GRDB.Configuration()
        let fullSync = configuration.fullSync
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(fullSync ? "FULL" : "NORMAL")")
            // Checkpoints run from their own connection (runMaintenance), not inside a commit:
            // an automatic one would stall the group commit that happens to trigger it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        // When the checkpointer holds the lock, poll every 100 µs (up to 5 s) rather than
        // SQLite's default sleeps of 1, 2, 5, 10… ms: a commit should resume the moment it can.
        grdb.busyMode = .callback { tries in
            usleep(100)
            return tries < 50_000
        }
        self.pool = try DatabasePool(path: path, configuration: grdb)
        self.path = path
        self.checkpointInterval = configuration.checkpointInterval
        try Self.migrator.migrate(self.pool)
        let last = try self.pool.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM delivery") ?? 0 }
        self.nextSequence = Mutex(last + 1)
        var checkpointing = GRDB.Configuration()
        checkpointing.busyMode = .timeout(1)
        checkpointing.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_size_limit = 67108864") }
        self.checkpointer = try DatabaseQueue(path: path, configuration: checkpointing)
    }

    /// Log frames (4 KiB pages) beyond which a checkpoint restarts the log: 32 MiB.
    static let restartFrames = 8_192

    /// A connection of its own for WAL checkpoints, beside the pool's writer.
    let checkpointer: DatabaseQueue

    /// Copies the write-ahead log back into the database every `checkpointInterval`, from its own
    /// connection. A passive checkpoint never holds up a commit; under constant load it never
    /// quite finishes either, so once the log passes `restartFrames` a restart checkpoint (which
    /// holds the writer only for the last few frames) lets the next commit reuse the log from
    /// its beginning: the log stays bounded.
    public func runMaintenance() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: self.checkpointInterval)
            if Task.isCancelled { break }
            _ = try? await self.checkpointer.writeWithoutTransaction { db in
                let (frames, _) = try db.checkpoint(.passive)
                if frames > Self.restartFrames { try db.checkpoint(.restart) }
            }
        }
        _ = try? await self.checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// The schema, one migration per change; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, messages, deliveries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE account (
                        id TEXT PRIMARY KEY NOT NULL,
                        system_id TEXT NOT NULL UNIQUE,
                        password_hash TEXT NOT NULL,
                        allowed_binds TEXT NOT NULL,
                        max_binds INTEGER NOT NULL,
                        messages_per_second INTEGER,
                        window INTEGER NOT NULL,
                        enabled INTEGER NOT NULL,
                        numbers TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        ingress TEXT NOT NULL,
                        service_type TEXT NOT NULL,
                        source_addr TEXT NOT NULL, source_ton INTEGER NOT NULL, source_npi INTEGER NOT NULL,
                        dest_addr TEXT NOT NULL, dest_ton INTEGER NOT NULL, dest_npi INTEGER NOT NULL,
                        esm_class INTEGER NOT NULL, protocol_id INTEGER NOT NULL, priority INTEGER NOT NULL,
                        registered_delivery INTEGER NOT NULL, data_coding INTEGER NOT NULL,
                        payload BLOB NOT NULL, tlvs BLOB NOT NULL, segments INTEGER NOT NULL,
                        status TEXT NOT NULL, error_code INTEGER NOT NULL,
                        submitted_at INTEGER NOT NULL, done_at INTEGER, scheduled_at INTEGER, expires_at INTEGER,
                        client_ref TEXT
                    );

                    CREATE TABLE delivery (
                        seq INTEGER PRIMARY KEY,
                        account_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        message_id INTEGER,
                        pdu BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX delivery_account ON delivery(account_id, seq);
                    -- Only scheduled messages still waiting: a small index (a restart resumes them).
                    CREATE INDEX message_scheduled ON message(id) WHERE status = 'queued' AND scheduled_at IS NOT NULL;
                    -- dispatch_watermark: below it, only scheduled messages can still be queued.
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    """)
        }
        return migrator
    }

    // MARK: accounts

    public func accounts() async throws -> [Account] {
        try await self.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY created_at").compactMap(Self.account)
        }
    }

    public func save(_ account: Account) async throws {
        try await self.pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO account
                        (id, system_id, password_hash, allowed_binds, max_binds, messages_per_second, window, enabled, numbers, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    account.id, account.systemID, account.password.description,
                    account.allowedBinds.map(\.rawValue).sorted().joined(separator: ","), account.maxBinds,
                    account.messagesPerSecond, account.window, account.enabled, account.numbers.joined(separator: ","),
                    account.createdAt,
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
            createdAt: row["created_at"])
    }

    // MARK: messages

    public func insert(_ messages: [Message]) async throws {
        guard !messages.isEmpty else { return }
        try await self.pool.write { db in try Self.insert(messages, db: db) }
    }

    public func write(_ batch: WriteBatch) async throws -> [Delivery] {
        guard !batch.isEmpty else { return [] }
        return try await self.pool.write { db in
            try Self.insert(batch.messages, db: db)
            var stored = try self.apply(batch.changes, db: db)
            stored += try self.insert(deliveries: batch.deliveries, db: db)
            try Self.complete(batch.acknowledged, db: db)
            if let watermark = batch.dispatchWatermark {
                let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('dispatch_watermark', ?)")
                var row = RawRow(statement)
                row.int(Int64(bitPattern: watermark.rawValue))
                try row.execute(db)
            }
            return stored
        }
    }

    static func insert(_ messages: [Message], db: Database) throws {
            guard !messages.isEmpty else { return }
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO message (id, account_id, ingress, service_type, source_addr, source_ton, source_npi,
                        dest_addr, dest_ton, dest_npi, esm_class, protocol_id, priority, registered_delivery, data_coding,
                        payload, tlvs, segments, status, error_code, submitted_at, done_at, scheduled_at, expires_at, client_ref)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
                row.text(message.status.rawValue)
                row.int(message.errorCode)
                row.int(message.submittedAt)
                row.int(message.doneAt)
                row.int(message.scheduledAt)
                row.int(message.expiresAt)
                row.text(message.clientReference)
                try row.execute(db)
            }
    }

    public func message(_ id: MessageID) async throws -> Message? {
        try await self.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [Int64(bitPattern: id.rawValue)]).map(Self.message)
        }
    }

    /// Queued messages at or above the dispatch watermark (those in flight when the process
    /// stopped), merged with every scheduled message still waiting; oldest first.
    public func queuedMessages(after: MessageID?, limit: Int) async throws -> [Message] {
        try await self.pool.read { db in
            let after = Int64(bitPattern: after?.rawValue ?? 0)
            let watermark = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'dispatch_watermark'") ?? 0
            let recent = try Row.fetchAll(
                db, sql: "SELECT * FROM message WHERE id > ? AND status = 'queued' ORDER BY id LIMIT ?",
                arguments: [max(after, watermark - 1), limit]
            ).map(Self.message)
            let scheduled = try Row.fetchAll(
                db,
                sql: "SELECT * FROM message WHERE status = 'queued' AND scheduled_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?",
                arguments: [after, limit]
            ).map(Self.message)
            var seen = Set<MessageID>()
            return Array((recent + scheduled).sorted { $0.id < $1.id }.filter { seen.insert($0.id).inserted }.prefix(limit))
        }
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
            status: MessageStatus(rawValue: row["status"]) ?? .unknown, errorCode: row["error_code"], submittedAt: row["submitted_at"],
            doneAt: row["done_at"], scheduledAt: row["scheduled_at"], expiresAt: row["expires_at"], clientReference: row["client_ref"])
    }

    static let finalStatuses = MessageStatus.allCases.filter(\.isFinal).map { "'\($0.rawValue)'" }.joined(separator: ",")

    public func apply(_ changes: [StatusChange]) async throws -> [Delivery] {
        guard !changes.isEmpty else { return [] }
        return try await self.pool.write { db in try self.apply(changes, db: db) }
    }

    func apply(_ changes: [StatusChange], db: Database) throws -> [Delivery] {
            guard !changes.isEmpty else { return [] }
            let update = try db.cachedStatement(
                sql: "UPDATE message SET status = ?, error_code = ?, done_at = ? WHERE id = ? AND status NOT IN (\(Self.finalStatuses))")
            let insert = try Self.insertDeliveryStatement(db)
            var stored: [Delivery] = []
            stored.reserveCapacity(changes.count)
            for change in changes {
                var row = RawRow(update)
                row.text(change.status.rawValue)
                row.int(change.errorCode)
                row.int(change.status.isFinal ? change.at : nil)
                row.int(Int64(bitPattern: change.messageID.rawValue))
                try row.execute(db)
                guard db.changesCount == 1, var receipt = change.receipt else { continue }
                try self.insert(&receipt, with: insert, db: db)
                stored.append(receipt)
            }
            return stored
    }

    public func insert(deliveries: [Delivery]) async throws -> [Delivery] {
        guard !deliveries.isEmpty else { return [] }
        return try await self.pool.write { db in try self.insert(deliveries: deliveries, db: db) }
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

    public func cancel(_ id: MessageID, accountID: String, at: Int64) async throws -> CancelOutcome {
        try await self.pool.write { db in
            let raw = Int64(bitPattern: id.rawValue)
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM message WHERE id = ? AND account_id = ?", arguments: [raw, accountID])
            else { return .notFound }
            guard status == MessageStatus.queued.rawValue else { return .tooLate }
            try db.execute(sql: "UPDATE message SET status = 'deleted', done_at = ? WHERE id = ?", arguments: [at, raw])
            return .cancelled
        }
    }

    public func replace(_ id: MessageID, accountID: String, with replacement: Replacement) async throws -> Bool {
        try await self.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE message SET payload = ?, segments = ?, scheduled_at = ?, expires_at = ?, registered_delivery = ?
                    WHERE id = ? AND account_id = ? AND status = 'queued'
                    """,
                arguments: [
                    Data(replacement.payload), replacement.segments, replacement.scheduledAt, replacement.expiresAt,
                    replacement.registeredDelivery.rawValue, Int64(bitPattern: id.rawValue), accountID,
                ])
            return db.changesCount == 1
        }
    }

    // MARK: deliveries

    public func pendingDeliveries(accountID: String, after: Int64, limit: Int) async throws -> [Delivery] {
        try await self.pool.read { db in
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
        try await self.pool.write { db in try Self.complete(sequences, db: db) }
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

    public func deleteExpiredDeliveries(before: Int64) async throws -> Int {
        try await self.pool.write { db in
            try db.execute(sql: "DELETE FROM delivery WHERE expires_at < ?", arguments: [before])
            return db.changesCount
        }
    }
}
