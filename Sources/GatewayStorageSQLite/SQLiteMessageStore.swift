public import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

/// `MessageStore` on embedded SQLite files (WAL), through GRDB.
///
/// Two files, each with its own writer, so that the two halves of the work never wait for each
/// other's commits (or fsyncs):
/// * `<name>.sqlite` — accounts and the messages as accepted. A message is written once, when it
///   is accepted (`insert`), and changed only by `replace_sm` while it is still queued.
/// * `<name>-outbox.sqlite` — what happens to messages after that: each one's status (a message
///   without a status row is `queued`), the receipts and MO owed to customers, the dispatch
///   watermark. A status change and its receipt are one transaction here.
///
/// Writes run on GRDB's writer queues, never on an event loop or the cooperative pool; each call
/// is one transaction per file. With `synchronous = FULL` (the default) a commit is on disk when
/// the call returns, power loss included; the gateway groups many messages per call.
public final class SQLiteMessageStore: MessageStore {
    public struct Configuration: Sendable {
        /// `true`: fsync every commit (survives power loss). `false`: WAL `synchronous = NORMAL`
        /// (survives a crash of the process, not of the machine).
        public var fullSync: Bool
        /// How often the write-ahead logs are copied back into the databases (`runMaintenance`).
        public var checkpointInterval: Duration

        public init(fullSync: Bool = true, checkpointInterval: Duration = .milliseconds(200)) {
            self.fullSync = fullSync
            self.checkpointInterval = checkpointInterval
        }
    }

    /// Accounts and messages.
    let messages: DatabasePool
    /// Statuses, deliveries owed, the dispatch watermark.
    let outbox: DatabasePool
    public let path: String
    public let outboxPath: String
    let checkpointInterval: Duration
    /// One connection per file for WAL checkpoints, beside the pools' writers.
    let checkpointers: [DatabaseQueue]
    /// The next delivery sequence number: assigned here (not by SQLite, which may reuse the
    /// number of a deleted last row) so that sequences only ever increase while this runs.
    let nextSequence: Mutex<Int64>

    static let finalStatuses = MessageStatus.allCases.filter(\.isFinal).map { "'\($0.rawValue)'" }.joined(separator: ",")

    /// Log frames (4 KiB pages) beyond which a checkpoint restarts a log: 32 MiB.
    static let restartFrames = 8_192

    /// `path`: the messages file; the outbox file sits beside it (`x.sqlite` → `x-outbox.sqlite`).
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.outboxPath = path.hasSuffix(".sqlite") ? String(path.dropLast(7)) + "-outbox.sqlite" : path + "-outbox"
        self.checkpointInterval = configuration.checkpointInterval
        var grdb = GRDB.Configuration()
        let fullSync = configuration.fullSync
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(fullSync ? "FULL" : "NORMAL")")
            // Checkpoints run from their own connections (runMaintenance), not inside a commit:
            // an automatic one would stall the group commit that happens to trigger it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        // When a checkpointer holds the lock, poll every 100 µs (up to 5 s) rather than SQLite's
        // default sleeps of 1, 2, 5, 10… ms: a commit should resume the moment it can.
        grdb.busyMode = .callback { tries in
            usleep(100)
            return tries < 50_000
        }
        self.messages = try DatabasePool(path: path, configuration: grdb)
        // The outbox is not on the path of any answer an ESME waits for: below the messages
        // writer and the event loops in priority.
        var outbox = grdb
        outbox.qos = .utility
        self.outbox = try DatabasePool(path: self.outboxPath, configuration: outbox)
        try Self.messagesMigrator.migrate(self.messages)
        try Self.outboxMigrator.migrate(self.outbox)
        let last = try self.outbox.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM delivery") ?? 0 }
        self.nextSequence = Mutex(last + 1)
        var checkpointing = GRDB.Configuration()
        checkpointing.busyMode = .timeout(1)
        checkpointing.qos = .utility
        checkpointing.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_size_limit = 67108864") }
        self.checkpointers = [
            try DatabaseQueue(path: path, configuration: checkpointing),
            try DatabaseQueue(path: self.outboxPath, configuration: checkpointing),
        ]
    }

    /// Copies each write-ahead log back into its database every `checkpointInterval`, from a
    /// connection of its own. A passive checkpoint never holds up a commit; under constant load
    /// it never quite finishes either, so once a log passes `restartFrames` a restart checkpoint
    /// (which holds the writer only for the last few frames) lets the next commit reuse the log
    /// from its beginning: the logs stay bounded.
    public func runMaintenance() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: self.checkpointInterval)
            if Task.isCancelled { break }
            for checkpointer in self.checkpointers {
                _ = try? await checkpointer.writeWithoutTransaction { db in
                    let (frames, _) = try db.checkpoint(.passive)
                    if frames > Self.restartFrames { try db.checkpoint(.restart) }
                }
            }
        }
        for checkpointer in self.checkpointers {
            _ = try? await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        }
    }

    // MARK: schema (one migration per change; never edit a shipped one)

    static var messagesMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, messages") { db in
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
                        submitted_at INTEGER NOT NULL, scheduled_at INTEGER, expires_at INTEGER,
                        client_ref TEXT
                    );
                    -- Scheduled messages: few, and a restart must find them wherever they are.
                    CREATE INDEX message_scheduled ON message(id) WHERE scheduled_at IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v2: HTTP API — keys, idempotency, callbacks, account webhooks, listing") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN callback_url TEXT;
                    -- GET /v2/messages: an account's messages, newest first.
                    CREATE INDEX message_account ON message(account_id, id);
                    ALTER TABLE account ADD COLUMN senders TEXT NOT NULL DEFAULT '';
                    ALTER TABLE account ADD COLUMN requests_per_second INTEGER;
                    ALTER TABLE account ADD COLUMN webhook_url TEXT;
                    ALTER TABLE account ADD COLUMN mo_webhook_url TEXT;
                    ALTER TABLE account ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
                    UPDATE account SET webhook_secret = 'whsec_' || lower(hex(randomblob(16)));
                    CREATE TABLE api_key (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        secret_hash BLOB NOT NULL,
                        label TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE TABLE idempotency (
                        account_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        request_hash BLOB NOT NULL,
                        status INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (account_id, key)
                    );
                    """)
        }
        migrator.registerMigration("v3: administration — report destination, IP allow-lists, settings") { db in
            try db.execute(
                sql: """
                    ALTER TABLE account ADD COLUMN reports TEXT NOT NULL DEFAULT 'both';
                    ALTER TABLE account ADD COLUMN allowed_ips TEXT NOT NULL DEFAULT '';
                    CREATE TABLE setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v4: India DLT registrations") { db in
            try db.execute(sql: "ALTER TABLE account ADD COLUMN dlt TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v5: billing — rate cards, balances, prices") { db in
            try db.execute(
                sql: """
                    ALTER TABLE account ADD COLUMN billing TEXT NOT NULL DEFAULT '';
                    -- Minor units: top-ups added, prices of stored messages taken (refunds are in the outbox's credit table).
                    ALTER TABLE account ADD COLUMN balance INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE message ADD COLUMN price INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        return migrator
    }

    static var outboxMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: statuses, deliveries, meta") { db in
            try db.execute(
                sql: """
                    -- A message without a row here is queued.
                    CREATE TABLE status (
                        id INTEGER PRIMARY KEY NOT NULL,
                        status TEXT NOT NULL,
                        error_code INTEGER NOT NULL,
                        done_at INTEGER
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
                    -- dispatch_watermark: below it, only scheduled messages can still be queued.
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("v4: carrier ids") { db in
            // A carrier's id of each message sent to it: its receipts are matched through here.
            try db.execute(
                sql: "CREATE TABLE upstream (connector TEXT NOT NULL, upstream_id TEXT NOT NULL, message_id INTEGER NOT NULL, PRIMARY KEY (connector, upstream_id))")
        }
        migrator.registerMigration("v5: long messages' parts at carriers") { db in
            // How many parts each message went as; which parts of a long message were delivered
            // while others were still out (a receipt after a restart needs both).
            try db.execute(
                sql: """
                    ALTER TABLE upstream ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;
                    CREATE TABLE upstream_delivered (
                        message_id INTEGER NOT NULL, connector TEXT NOT NULL, upstream_id TEXT NOT NULL,
                        PRIMARY KEY (message_id, connector, upstream_id)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3: refunds") { db in
            // One row per refunded message: its primary key makes a refund happen once.
            try db.execute(
                sql: "CREATE TABLE credit (message_id INTEGER PRIMARY KEY NOT NULL, account_id TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL)")
        }
        migrator.registerMigration("v2: webhooks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhook (
                        seq INTEGER PRIMARY KEY,
                        account_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        url TEXT NOT NULL,
                        body BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX webhook_due ON webhook(next_attempt_at);
                    """)
        }
        return migrator
    }

    // MARK: accounts

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

    // MARK: messages

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

    // MARK: statuses and deliveries (the outbox file)

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

    public func adjustBalance(accountID: String, by amount: Int64) async throws {
        try await self.messages.write { db in
            try db.execute(sql: "UPDATE account SET balance = balance + ? WHERE id = ?", arguments: [amount, accountID])
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

    // MARK: the HTTP API

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

    // MARK: webhooks (the outbox file)

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

    public func claimWebhooks(now: Int64, lease: Int64, limit: Int) async throws -> [Webhook] {
        try await self.outbox.write { db in
            let due = try Row.fetchAll(
                db, sql: "SELECT * FROM webhook WHERE next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?", arguments: [now, limit]
            ).map { row in
                Webhook(
                    sequence: row["seq"], accountID: row["account_id"], kind: Webhook.Kind(rawValue: row["kind"]) ?? .status, url: row["url"],
                    body: [UInt8](row["body"] as Data), createdAt: row["created_at"], nextAttemptAt: row["next_attempt_at"],
                    attempts: row["attempts"], expiresAt: row["expires_at"])
            }
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
